// Live timelines: a page with [data-live] hears of new posts by server-sent events and shows each one's card as the
// timeline would, newest first (a thread's replies at the end), announcing them politely to screen readers. Without
// JavaScript the page is the same, only still: reloading shows what is new.
const list = document.querySelector('[data-live]');
const status = document.querySelector('[data-live-status]');

if (list && list.dataset.live && 'EventSource' in window) {
  const append = list.dataset.liveOrder === 'append';
  const back = list.dataset.return || location.pathname;
  const source = new EventSource(list.dataset.live);
  let arrived = [];
  let timer = 0;

  // One announcement for a burst of posts, so a busy timeline doesn't talk over the reader.
  const announce = (author) => {
    arrived.push(author);
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (status) {
        status.textContent = arrived.length === 1
          ? `New post from ${arrived[0]}`
          : `${arrived.length} new posts`;
      }
      arrived = [];
    }, 1000);
  };

  const show = async (id) => {
    if (document.getElementById(`post-${id}`)) {
      return;
    }
    const url = `/fragments/post/${encodeURIComponent(id)}?return=${encodeURIComponent(back)}${append ? '&depth=1' : ''}`;
    const response = await fetch(url, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    if (!response.ok) {
      return; // gone, or not for this reader
    }
    const template = document.createElement('template');
    template.innerHTML = (await response.text()).trim();
    const card = template.content.querySelector('article');
    if (!card || document.getElementById(card.id)) {
      return;
    }
    card.classList.add('db-post--new');
    if (append) {
      list.append(card);
    } else {
      list.prepend(card);
    }
    document.querySelector('[data-live-empty]')?.remove();
    window.htmx?.process(card);
    announce(card.querySelector('.db-post__author strong')?.textContent?.trim() || 'someone');
  };

  source.addEventListener('update', (e) => show(JSON.parse(e.data).id));
  source.addEventListener('status.update', async (e) => {
    const { id } = JSON.parse(e.data);
    const old = document.getElementById(`post-${id}`);
    if (old) {
      old.remove();
      await show(id);
    }
  });
  source.addEventListener('delete', (e) => {
    const { id } = JSON.parse(e.data);
    document.getElementById(`post-${id}`)?.remove();
  });
}
