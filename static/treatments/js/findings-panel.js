// The health-advertising findings in the page editor's checks panel, kept up
// to date as the editor types: the form is posted (as Wagtail's live preview
// posts it) to the findings view, which answers the findings as HTML.
(() => {
  const section = document.querySelector("[data-health-advertising]");
  const form = document.querySelector("form[data-edit-form]");
  if (!section || !form) {
    return;
  }
  const list = section.querySelector("[data-findings-list]");
  const count = section.querySelector("[data-findings-count]");
  let timer = null;
  let pending = null;

  const refresh = async () => {
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    try {
      const response = await fetch(section.dataset.findingsUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "XMLHttpRequest" },
        signal: pending.signal,
      });
      if (!response.ok) {
        return;
      }
      const data = await response.json();
      list.innerHTML = data.html;
      count.textContent = data.count;
      section.dataset.findingsErrors = data.errors;
    } catch (error) {
      if (error.name !== "AbortError") {
        throw error;
      }
    }
  };

  const later = () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
