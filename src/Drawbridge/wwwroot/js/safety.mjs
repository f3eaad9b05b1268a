// Live safety check while the author types: a debounced call to the same check the server runs on publish.
// Findings are listed with their message and suggestion, and the spans are marked in a preview of the text.
// Everything is built with DOM calls and textContent: nothing the author typed is ever parsed as HTML.

const DELAY_MS = 600;
const LABELS = { block: 'Must change', warn: 'Check this', nudge: 'Suggestion' };
const TAGS = { block: 'nhsuk-tag--red', warn: 'nhsuk-tag--orange', nudge: 'nhsuk-tag--blue' };

function token(form) {
  const input = form.querySelector('input[name="__RequestVerificationToken"]');
  return input ? input.value : '';
}

function render(target, text, findings) {
  target.replaceChildren();
  if (!findings.length) {
    return;
  }
  const box = document.createElement('div');
  box.className = 'nhsuk-warning-callout db-findings';
  const heading = document.createElement('h2');
  heading.className = 'nhsuk-warning-callout__label';
  heading.textContent = 'Safety check';
  box.append(heading);
  const list = document.createElement('ul');
  list.className = 'nhsuk-list';
  for (const f of findings) {
    const item = document.createElement('li');
    item.className = 'db-findings__item';
    const tag = document.createElement('strong');
    tag.className = 'nhsuk-tag ' + (TAGS[f.severity] || 'nhsuk-tag--blue');
    tag.textContent = LABELS[f.severity] || 'Suggestion';
    item.append(tag, ' ', f.message || '');
    if (f.suggestion) {
      const s = document.createElement('span');
      s.className = 'db-findings__suggestion';
      s.textContent = 'Suggestion: ' + f.suggestion;
      item.append(s);
    }
    list.append(item);
  }
  box.append(list);
  const preview = document.createElement('p');
  preview.className = 'db-findings__preview';
  let at = 0;
  for (const f of [...findings].sort((a, b) => a.start - b.start)) {
    if (f.start < at || f.end > text.length || f.end <= f.start) {
      continue;
    }
    preview.append(text.slice(at, f.start));
    const mark = document.createElement('mark');
    mark.className = 'db-finding db-finding--' + f.severity;
    mark.textContent = text.slice(f.start, f.end);
    preview.append(mark);
    at = f.end;
  }
  preview.append(text.slice(at));
  box.append(preview);
  target.append(box);
}

for (const target of document.querySelectorAll('[data-safety-for]')) {
  const field = document.getElementById(target.dataset.safetyFor);
  const form = field && field.form;
  if (!field || !form) {
    continue;
  }
  let timer = 0;
  let latest = 0;
  field.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = field.value.trim();
      const request = ++latest;
      if (!text) {
        render(target, '', []);
        return;
      }
      try {
        const response = await fetch('/api/drawbridge/v1/safety/check', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-TOKEN': token(form) },
          credentials: 'same-origin',
          body: JSON.stringify({ text, hasImages: !!form.querySelector('input[name="mediaIds"]') }),
        });
        if (response.ok && request === latest) {
          render(target, text, await response.json());
        }
      } catch {
        // The check runs again on the server when the post is published.
      }
    }, DELAY_MS);
  });
}
