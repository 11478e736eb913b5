/* Loaded in <head> without defer, so that large text is on before the first paint. */
try {
  if (localStorage.getItem("civic-large-font") === "1") { document.documentElement.classList.add("large-font"); }
} catch (e) { /* private mode */ }
