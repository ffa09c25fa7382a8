// "Print" links (data-print) open the browser's print dialog. Kept out of the templates: the
// Content-Security-Policy allows scripts from our own origin only, never inline.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-print]");
  if (link) {
    event.preventDefault();
    window.print();
  }
});
