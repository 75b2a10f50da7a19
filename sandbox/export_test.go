package sandbox

// DemoPicture draws a meme as the demo's are drawn (for the browser test's upload).
var DemoPicture = demoPicture
