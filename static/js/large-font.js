/* Loaded in <head> without defer, before the first paint: large text is on at once, and
   <html class="js"> tells the stylesheet that script runs (the menu folds behind its button). */
document.documentElement.classList.add("js");
try {
  if (localStorage.getItem("civic-large-font") === "1") { document.documentElement.classList.add("large-font"); }
} catch (e) { /* private mode */ }
