// Draws a flat list of sites (each with id and parent_id) as nested <ul> lists.
// A site whose parent is not in the list (the top of the caller's subtree) is drawn at the top.

function byId(a, b) {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function siteItem(site, ownSiteId) {
  const li = document.createElement('li');
  const row = document.createElement('div');
  row.className = 'node';

  const name = document.createElement('span');
  name.className = 'node-name';
  name.textContent = site.name;
  row.append(name);

  if (site.level) {
    const level = document.createElement('span');
    level.className = `badge badge-${site.level}`;
    level.setAttribute('data-i18n', `level.${site.level}`);
    level.textContent = site.level;
    row.append(' ', level);
  }
  if (site.code) {
    const code = document.createElement('span');
    code.className = 'code muted';
    code.textContent = site.code;
    row.append(' ', code);
  }
  if (site.id === ownSiteId) {
    li.classList.add('own');
    const own = document.createElement('strong');
    own.className = 'badge badge-own';
    own.setAttribute('data-i18n', 'sites.yours');
    row.append(' ', own);
  }
  li.append(row);
  return li;
}

/** Replaces the children of ul with the tree of sites; returns the number drawn. */
export function renderSiteTree(ul, sites, ownSiteId) {
  ul.textContent = '';
  const ids = new Set(sites.map((s) => s.id));
  const children = new Map();
  const roots = [];
  for (const s of sites) {
    const parent = s.parent_id;
    if (parent === null || parent === undefined || !ids.has(parent) || parent === s.id) {
      roots.push(s);
    } else {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(s);
    }
  }
  // Iterative, so a deep or cyclic tree cannot overflow the stack; each site drawn once.
  const drawn = new Set();
  const stack = roots.sort(byId).reverse().map((s) => ({ site: s, into: ul }));
  while (stack.length) {
    const { site, into } = stack.pop();
    if (drawn.has(site.id)) continue;
    drawn.add(site.id);
    const li = siteItem(site, ownSiteId);
    into.append(li);
    const kids = (children.get(site.id) || []).filter((k) => !drawn.has(k.id));
    if (kids.length) {
      const sub = document.createElement('ul');
      li.append(sub);
      for (const k of kids.sort(byId).reverse()) stack.push({ site: k, into: sub });
    }
  }
  return drawn.size;
}
