// Pages showing a running job (data-refresh="SECONDS") reload themselves until it ends, and say
// so with a button to stop (WCAG 2.2.1: the reader can turn a time limit off). Stopping lasts for
// the tab (sessionStorage). Without script the page shows a Reload link instead. No inline
// script: the Content-Security-Policy allows scripts from our own origin only.
const STOPPED = "recall-refresh-stopped";
for (const box of document.querySelectorAll("[data-refresh]")) {
  const button = box.querySelector("button");
  const note = box.querySelector("[data-refresh-note]");
  if (sessionStorage.getItem(STOPPED)) {
    note.textContent = button.dataset.stopped;
    continue;
  }
  const timer = setTimeout(() => location.reload(), 1000 * Number(box.dataset.refresh));
  button.hidden = false;
  button.addEventListener("click", () => {
    clearTimeout(timer);
    sessionStorage.setItem(STOPPED, "1");
    note.textContent = button.dataset.stopped;
    button.hidden = true;
  });
}
