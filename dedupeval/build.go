package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font/opentype"

	"memebot/watermark"
)

// Kinds of items in a set.
const (
	KindOriginal = "original" // an approved meme already in the index
	KindRepost   = "repost"   // must be found a duplicate of Of
	KindTemplate = "template" // same picture as Of, other text: never a duplicate
	// KindOtherPicture is Of's text on another picture: never a duplicate.
	KindOtherPicture = "other_picture"
)

// Item is one image of the evaluation set.
type Item struct {
	File      string `json:"file"`
	Kind      string `json:"kind"`
	Transform string `json:"transform,omitempty"` // how a repost or template was made
	Of        string `json:"of,omitempty"`        // the original it derives from
	Text      string `json:"text"`                // the meme text drawn on it
	Lang      string `json:"lang"`
	Font      string `json:"font"`
	// Source is where the picture came from: empty for a photograph,
	// "clipart" for clip art on a plain ground.
	Source string `json:"source,omitempty"`
}

// Manifest lists a set's items.
type Manifest struct {
	Items []Item `json:"items"`
}

type memeText struct{ top, bottom string }

// The texts drawn on the memes: every photo gets its own pair, and its
// templates pairs no other meme uses.
var texts = map[string][]memeText{
	"en": {
		{"WHEN THE CODE COMPILES", "ON THE FIRST TRY"},
		{"ME EXPLAINING MY PLANS", "TO MY CAT AT 3 AM"},
		{"NOBODY:", "ABSOLUTELY NOBODY: MONDAYS"},
		{"ONE DOES NOT SIMPLY", "LEAVE THE HOUSE ON SUNDAY"},
		{"THEY SAID IT WOULD BE EASY", "THEY LIED"},
		{"WHEN YOU SEE THE PRICE", "AND CLOSE THE TAB"},
		{"MY WALLET AFTER", "ONE TRIP TO THE STORE"},
		{"I WILL START THE DIET", "TOMORROW FOR SURE"},
		{"POV: YOU OPENED", "THE FRIDGE AGAIN"},
		{"WAITING FOR THE WEEKEND", "LIKE A GOOD BOY"},
		{"WHEN THE WIFI DROPS", "DURING THE BOSS FIGHT"},
		{"HOW I THINK I LOOK", "HOW I ACTUALLY LOOK"},
		{"JUST FIVE MORE MINUTES", "SAID NO ONE EVER ON TIME"},
		{"THIS IS FINE", "EVERYTHING IS FINE"},
		{"WHEN MOM SAYS", "WE HAVE FOOD AT HOME"},
		{"ME AFTER ONE COFFEE", "READY TO FIGHT A BEAR"},
		{"THE SILENCE WHEN", "THE TEACHER ASKS A QUESTION"},
		{"SUMMER BODY LOADING", "PLEASE WAIT FOREVER"},
		{"WHO ATE MY SANDWICH", "I AM NOT ANGRY JUST DISAPPOINTED"},
		{"TRYING TO BE AN ADULT", "LIKE A PRO"},
		{"SEND THIS TO A FRIEND", "WHO NEEDS A VACATION"},
		{"ME CHECKING THE FRIDGE", "EVERY TEN MINUTES"},
		{"WHEN THE PIZZA ARRIVES", "BEST MOMENT OF THE DAY"},
		{"NOT TODAY SATAN", "NOT TODAY"},
		{"I CAME I SAW", "I TOOK A NAP"},
		{"THE FACE YOU MAKE", "WHEN THE BUS LEAVES EARLY"},
		{"DAD JOKES BE LIKE", "HI HUNGRY I AM DAD"},
		{"PLANTS AFTER I WATER THEM", "ONCE A MONTH"},
		{"STUDENTS BEFORE EXAMS", "ONE NIGHT IS ENOUGH"},
		{"SLEEP SCHEDULE", "WHAT SLEEP SCHEDULE"},
		{"WHEN THE MUSIC HITS", "AT TWO IN THE MORNING"},
		{"EXPECTATION VERSUS", "REALITY OF HOLIDAYS"},
		{"WHEN YOU FINALLY FIND", "THE REMOTE UNDER THE SOFA"},
		{"MY BRAIN AT NIGHT", "REMEMBER THAT CRINGE MOMENT"},
		{"GROUP PROJECT", "ME DOING EVERYTHING"},
		{"WHEN THE BATTERY IS", "AT ONE PERCENT"},
		{"LOOKING FOR MY KEYS", "WHILE HOLDING THEM"},
		{"FRIDAY AFTERNOON", "NOTHING CAN STOP ME NOW"},
		{"BRO REALLY THOUGHT", "HE COULD OUTRUN RAIN"},
		{"ME READING THE RULES", "AFTER LOSING THE GAME"},
		{"WHEN SOMEONE SAYS", "PINEAPPLE BELONGS ON PIZZA"},
		{"COOKING FOR ONE", "ENOUGH FOOD FOR TEN"},
		{"THE BOSS SAID", "QUICK MEETING"},
		{"ME PRETENDING TO WORK", "WHEN THE MANAGER PASSES"},
		{"WHEN THE DOCTOR SAYS", "DRINK MORE WATER"},
	},
	"ru": {
		{"КОГДА КОД СОБРАЛСЯ", "С ПЕРВОГО РАЗА"},
		{"Я ОБЪЯСНЯЮ ПЛАНЫ", "СВОЕМУ КОТУ В ТРИ НОЧИ"},
		{"ПОНЕДЕЛЬНИК", "ОПЯТЬ ТЫ"},
		{"НЕЛЬЗЯ ПРОСТО ТАК", "ВЗЯТЬ И ВЫЙТИ ИЗ ДОМА"},
		{"ГОВОРИЛИ БУДЕТ ЛЕГКО", "ОБМАНУЛИ"},
		{"КОГДА УВИДЕЛ ЦЕНУ", "И ЗАКРЫЛ ВКЛАДКУ"},
		{"МОЙ КОШЕЛЕК ПОСЛЕ", "ПОХОДА В МАГАЗИН"},
		{"НАЧНУ ДИЕТУ", "ЗАВТРА ТОЧНО"},
		{"ТЫ ОПЯТЬ ОТКРЫЛ", "ХОЛОДИЛЬНИК"},
		{"ЖДУ ВЫХОДНЫЕ", "КАК ХОРОШИЙ МАЛЬЧИК"},
		{"КОГДА ПРОПАЛ ИНТЕРНЕТ", "ВО ВРЕМЯ БИТВЫ С БОССОМ"},
		{"КАК Я ДУМАЮ Я ВЫГЛЯЖУ", "КАК Я ВЫГЛЯЖУ НА САМОМ ДЕЛЕ"},
		{"ЕЩЕ ПЯТЬ МИНУТОЧЕК", "И ВСТАЮ"},
		{"ВСЕ НОРМАЛЬНО", "ВСЕ ПОД КОНТРОЛЕМ"},
		{"МАМА СКАЗАЛА", "ДОМА ЕСТЬ ЕДА"},
		{"Я ПОСЛЕ ЧАШКИ КОФЕ", "ГОТОВ ПОБЕДИТЬ МЕДВЕДЯ"},
		{"ТИШИНА КОГДА", "УЧИТЕЛЬ ЗАДАЕТ ВОПРОС"},
		{"ЛЕТНЯЯ ФОРМА", "ЗАГРУЖАЕТСЯ ВЕЧНО"},
		{"КТО СЪЕЛ МОЙ БУТЕРБРОД", "Я НЕ ЗЛЮСЬ ПРОСТО ОБИДНО"},
		{"ПЫТАЮСЬ БЫТЬ ВЗРОСЛЫМ", "КАК ПРОФИ"},
		{"ОТПРАВЬ ДРУГУ", "КОТОРОМУ НУЖЕН ОТПУСК"},
		{"ПРОВЕРЯЮ ХОЛОДИЛЬНИК", "КАЖДЫЕ ДЕСЯТЬ МИНУТ"},
		{"КОГДА ПРИВЕЗЛИ ПИЦЦУ", "ЛУЧШИЙ МОМЕНТ ДНЯ"},
		{"ТОЛЬКО НЕ СЕГОДНЯ", "НЕТ НЕТ НЕТ"},
		{"ПРИШЕЛ УВИДЕЛ", "ПОШЕЛ СПАТЬ"},
		{"ЛИЦО КОГДА АВТОБУС", "УЕХАЛ РАНЬШЕ"},
		{"ШУТКИ ПАПЫ", "ПРИВЕТ ГОЛОДНЫЙ Я ПАПА"},
		{"ЦВЕТЫ КОГДА Я ПОЛИВАЮ", "РАЗ В МЕСЯЦ"},
		{"СТУДЕНТЫ ПЕРЕД СЕССИЕЙ", "ОДНОЙ НОЧИ ХВАТИТ"},
		{"РЕЖИМ СНА", "КАКОЙ ЕЩЕ РЕЖИМ"},
		{"КОГДА МУЗЫКА КАЧАЕТ", "В ДВА ЧАСА НОЧИ"},
		{"ОЖИДАНИЕ И", "РЕАЛЬНОСТЬ ОТПУСКА"},
		{"КОГДА НАШЕЛ ПУЛЬТ", "ПОД ДИВАНОМ"},
		{"МОЙ МОЗГ НОЧЬЮ", "ПОМНИШЬ ТОТ ПОЗОР"},
		{"ГРУППОВОЙ ПРОЕКТ", "Я ДЕЛАЮ ВСЕ"},
		{"КОГДА ЗАРЯДКИ", "ОДИН ПРОЦЕНТ"},
		{"ИЩУ КЛЮЧИ", "ДЕРЖА ИХ В РУКЕ"},
		{"ПЯТНИЦА ВЕЧЕР", "МЕНЯ НЕ ОСТАНОВИТЬ"},
		{"БРАТАН ДУМАЛ", "ЧТО УБЕЖИТ ОТ ДОЖДЯ"},
		{"ЧИТАЮ ПРАВИЛА", "ПОСЛЕ ПРОИГРЫША"},
		{"КОГДА ГОВОРЯТ", "АНАНАСЫ НА ПИЦЦЕ ЭТО НОРМ"},
		{"ГОТОВЛЮ НА ОДНОГО", "ЕДЫ НА ДЕСЯТЕРЫХ"},
		{"НАЧАЛЬНИК СКАЗАЛ", "БЫСТРЫЙ СОЗВОН"},
		{"ДЕЛАЮ ВИД ЧТО РАБОТАЮ", "КОГДА ИДЕТ МЕНЕДЖЕР"},
		{"ВРАЧ СКАЗАЛ", "ПЕЙ БОЛЬШЕ ВОДЫ"},
	},
}

var barTexts = map[string][]string{
	"en": {"so true lol", "tag someone who does this", "me every single day", "follow for more memes"},
	"ru": {"жиза", "отметь того кто так делает", "я каждый день", "подпишись на канал"},
}

// transform makes a repost from a meme; rnd picks crop sides and corners.
type transform struct {
	name  string
	apply func(m *meme, rnd *rand.Rand) (image.Image, string, error) // image, format
}

// meme is an original being built, with what its reposts need.
type meme struct {
	img  *image.RGBA
	font *opentype.Font
	lang string
}

func jpegOf(img image.Image, _ *meme, _ *rand.Rand) (image.Image, string, error) {
	return img, "jpg90", nil
}

func cropSides(img image.Image, share [4]float64) image.Image {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	r := image.Rect(int(share[0]*w), int(share[1]*h), b.Dx()-int(share[2]*w), b.Dy()-int(share[3]*h))
	return imaging.Crop(img, r)
}

// randomCrop removes share from two random sides (one horizontal, one vertical).
func randomCrop(img image.Image, share float64, rnd *rand.Rand) image.Image {
	var s [4]float64
	s[rnd.IntN(2)*2] = share   // left or right
	s[1+rnd.IntN(2)*2] = share // top or bottom
	return cropSides(img, s)
}

func resize(img image.Image, f float64) image.Image {
	return imaging.Resize(img, int(float64(img.Bounds().Dx())*f), 0, imaging.Lanczos)
}

func rewatermark(img image.Image, rnd *rand.Rand) image.Image {
	names := []string{"@memes_daily", "@funny_pics_ru", "@best_memes", "@mem_channel"}
	return watermark.Apply(img, names[rnd.IntN(len(names))], watermark.Options{SizeRatio: 0.04, Opacity: 0.6})
}

func withBar(m *meme, img image.Image, rnd *rand.Rand) (image.Image, error) {
	list := barTexts[m.lang]
	return captionBar(img, m.font, list[rnd.IntN(len(list))])
}

var transforms = []transform{
	{"resize60_q75", func(m *meme, _ *rand.Rand) (image.Image, string, error) { return resize(m.img, 0.6), "jpg75", nil }},
	{"jpeg_q35", func(m *meme, _ *rand.Rand) (image.Image, string, error) { return m.img, "jpg35", nil }},
	{"bright+12", func(m *meme, _ *rand.Rand) (image.Image, string, error) {
		return imaging.AdjustBrightness(m.img, 12), "jpg85", nil
	}},
	{"bright-15", func(m *meme, _ *rand.Rand) (image.Image, string, error) {
		return imaging.AdjustBrightness(m.img, -15), "jpg85", nil
	}},
	{"contrast+15", func(m *meme, _ *rand.Rand) (image.Image, string, error) {
		return imaging.AdjustContrast(m.img, 15), "jpg85", nil
	}},
	{"contrast-15", func(m *meme, _ *rand.Rand) (image.Image, string, error) {
		return imaging.AdjustContrast(m.img, -15), "jpg85", nil
	}},
	{"crop4", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		return randomCrop(m.img, 0.04, rnd), "jpg85", nil
	}},
	{"crop5_one_side", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		var s [4]float64
		s[rnd.IntN(4)] = 0.05
		return cropSides(m.img, s), "jpg85", nil
	}},
	{"crop5_all_sides", func(m *meme, _ *rand.Rand) (image.Image, string, error) {
		return cropSides(m.img, [4]float64{0.05, 0.05, 0.05, 0.05}), "jpg85", nil
	}},
	{"caption_bar", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		img, err := withBar(m, m.img, rnd)
		return img, "jpg85", err
	}},
	{"watermark", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		return rewatermark(m.img, rnd), "jpg85", nil
	}},
	{"png", func(m *meme, _ *rand.Rand) (image.Image, string, error) { return m.img, "png", nil }},
	{"crop4+bright+12", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		return imaging.AdjustBrightness(randomCrop(m.img, 0.04, rnd), 12), "jpg85", nil
	}},
	{"crop5+contrast-15+resize60", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		return resize(imaging.AdjustContrast(randomCrop(m.img, 0.05, rnd), -15), 0.6), "jpg75", nil
	}},
	{"caption_bar+resize60_q75", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		img, err := withBar(m, resize(m.img, 0.6), rnd)
		return img, "jpg75", err
	}},
	{"watermark+jpeg_q35+crop3", func(m *meme, rnd *rand.Rand) (image.Image, string, error) {
		return rewatermark(randomCrop(m.img, 0.03, rnd), rnd), "jpg35", nil
	}},
}

// picture is a source picture of the set: a photograph, or clip art.
type picture struct {
	path, source string
}

// build renders the set: one original per picture (cut to a common aspect,
// captioned top and bottom), its reposts, two templates (the same picture
// with other text: all of it, or the bottom line only) and, for clip art,
// the original's text on the next clip art (another picture, same text).
func build(root, outDir string, width, limit int, seed uint64) error {
	photos, err := filepath.Glob(filepath.Join(root, "photos", "*.jpg"))
	if err != nil || len(photos) == 0 {
		return fmt.Errorf("no photographs in %s/photos (run scripts/dedupeval-fetch.sh): %v", root, err)
	}
	if limit > 0 && len(photos) > limit {
		photos = photos[:limit]
	}
	cliparts, _ := filepath.Glob(filepath.Join(root, "clipart", "*.png"))
	if limit > 0 && len(cliparts) > limit {
		cliparts = cliparts[:limit]
	}
	var pictures []picture
	for _, p := range photos {
		pictures = append(pictures, picture{p, ""})
	}
	for _, p := range cliparts {
		pictures = append(pictures, picture{p, "clipart"})
	}
	fontFiles, _ := filepath.Glob(filepath.Join(root, "fonts", "*.ttf"))
	fonts, fontNames, err := loadFonts(fontFiles)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	var man Manifest
	aspects := []float64{1, 4.0 / 5, 16.0 / 9, 4.0 / 3}
	for i, src := range pictures {
		rnd := rand.New(rand.NewPCG(uint64(i), seed))
		lang := []string{"en", "ru"}[i%2]
		fi := i % len(fonts)
		base := strings.TrimSuffix(filepath.Base(src.path), filepath.Ext(src.path))
		w := width
		h := int(float64(w) / aspects[i%len(aspects)])
		pic, err := render(src, w, h)
		if err != nil {
			return err
		}
		pool := texts[lang]
		own := pool[(i/2)%len(pool)]
		others := []memeText{pool[(i/2+15)%len(pool)], {own.top, pool[(i/2+30)%len(pool)].bottom}}
		m := &meme{font: fonts[fi], lang: lang}
		if m.img, err = caption(pic, m.font, own); err != nil {
			return err
		}
		item := func(name, kind, tr string, t memeText) Item {
			return Item{File: name, Kind: kind, Transform: tr, Text: t.top + " / " + t.bottom, Lang: lang,
				Font: filepath.Base(fontNames[fi]), Source: src.source}
		}
		orig := base + ".jpg"
		if err := save(filepath.Join(outDir, orig), m.img, "jpg90"); err != nil {
			return err
		}
		man.Items = append(man.Items, item(orig, KindOriginal, "", own))
		for _, tr := range transforms {
			img, format, err := tr.apply(m, rnd)
			if err != nil {
				return err
			}
			name := fmt.Sprintf("%s~%s.%s", base, strings.NewReplacer("+", "_", "-", "m").Replace(tr.name), format[:3])
			if err := save(filepath.Join(outDir, name), img, format); err != nil {
				return err
			}
			it := item(name, KindRepost, tr.name, own)
			it.Of = orig
			man.Items = append(man.Items, it)
		}
		for k, t := range others {
			img, err := caption(pic, m.font, t)
			if err != nil {
				return err
			}
			tr := []string{"other_text", "other_bottom_line"}[k]
			name := fmt.Sprintf("%s~template%d.jpg", base, k)
			if err := save(filepath.Join(outDir, name), img, "jpg85"); err != nil {
				return err
			}
			it := item(name, KindTemplate, tr, t)
			it.Of = orig
			man.Items = append(man.Items, it)
		}
		if src.source == "clipart" {
			// Flat clip art on a plain ground looks alike to a pHash: the
			// same caption on the next clip art must stay another meme.
			next := pictures[(i+1)%len(pictures)]
			if next.source != "clipart" {
				next = pictures[len(photos)]
			}
			other, err := render(next, w, h)
			if err != nil {
				return err
			}
			img, err := caption(other, m.font, own)
			if err != nil {
				return err
			}
			name := base + "~other_picture.jpg"
			if err := save(filepath.Join(outDir, name), img, "jpg85"); err != nil {
				return err
			}
			it := item(name, KindOtherPicture, "same_text", own)
			it.Of = orig
			man.Items = append(man.Items, it)
		}
		fmt.Fprintf(os.Stderr, "built %s (%s, %s)\n", base, lang, filepath.Base(fontNames[fi]))
	}
	data, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(outDir, "manifest.json"), data, 0o644)
}

// render makes a w x h picture of src: a photograph cut to fill it, clip art
// fitted into its middle (two thirds of the height, leaving room for the
// caption lines) on a plain ground, white or a pale colour picked by name.
func render(src picture, w, h int) (image.Image, error) {
	pic, err := imaging.Open(src.path)
	if err != nil {
		return nil, err
	}
	if src.source != "clipart" {
		return imaging.Fill(pic, w, h, imaging.Center, imaging.Lanczos), nil
	}
	grounds := []color.NRGBA{{255, 255, 255, 255}, {255, 255, 255, 255}, {250, 240, 200, 255}, {215, 235, 250, 255}}
	ground := grounds[len(filepath.Base(src.path))%len(grounds)]
	canvas := imaging.New(w, h, ground)
	art := imaging.Fit(pic, w*9/10, h*2/3, imaging.Lanczos)
	at := image.Pt((w-art.Bounds().Dx())/2, (h-art.Bounds().Dy())/2)
	return imaging.Overlay(canvas, art, at, 1), nil
}

// caption draws the meme text on a copy of pic.
func caption(pic image.Image, f *opentype.Font, t memeText) (*image.RGBA, error) {
	img := image.NewRGBA(pic.Bounds())
	draw.Draw(img, img.Bounds(), pic, pic.Bounds().Min, draw.Src)
	pad := img.Bounds().Dy() / 40
	if err := drawMemeLine(img, f, t.top, pad); err != nil {
		return nil, err
	}
	return img, drawMemeLine(img, f, t.bottom, -pad)
}

// save encodes img as "png" or "jpgNN" (JPEG at quality NN).
func save(path string, img image.Image, format string) error {
	var buf bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&buf, img)
	} else {
		var q int
		fmt.Sscanf(format, "jpg%d", &q)
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: q})
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
