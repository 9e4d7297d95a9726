/* "Trova il tuo sportello": searches the index #indice-sportelli (sitegen/finder.py) and
   enhances the A-Z list #elenco-comuni. Matching rules: docs/ricerca-comuni.md */
(function () {
  'use strict';
  var MAX_SHOWN = 50, RANK = { n: 0, p: 0, a: 1, o: 2, f: 3, x: 4 }, LONGEST_NAME = 6;
  // Words of an address that are never a place: what a name is searched among.
  var NOISE = /^(fraz|frazione|loc|localita|comune|provincia|prov|pr|cr|mn|pc|lombardia|italia|italy|cap)$/;
  var STREET = /^(via|viale|v|piazza|p|pza|pzza|piazzale|corso|c|so|strada|str|vicolo|vic|largo|contrada|ctr)$/;

  // Lower case, no accents, punctuation or apostrophes; "S. X" = "san x"; "dei", "del"... = "de".
  function words(text) {
    var w = String(text).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '')
      .replace(/(^|[^a-z0-9])s\.(?=\s*[a-z])/g, '$1san ').replace(/[^a-z0-9]+/g, ' ').trim();
    return (w ? w.split(' ') : []).map(function (x, i, all) {
      return /^de(i|l|lla|lle|llo|gli)$/.test(x) ? 'de' : x === 's' && all[i + 1] ? 'san' : x;
    });
  }

  function slugify(name) {
    return name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }

  // A searchable name of comune c; s[i]: its words from the i-th on, without spaces.
  function term(d, k, c, f, x) {
    var w = words(d);
    return { d: d, k: k, c: c, f: f, x: x, w: w, s: w.map(function (_, i) { return w.slice(i).join(''); }) };
  }

  function load(data) {
    var idx = { comuni: [], terms: [], caps: [], out: [], shared: {}, cons: data.consorzio, exact: {}, outExact: {},
      byLength: [] };
    data.nomi.forEach(function (name, c) {
      var more = data.altro[c] || {}, terms = idx.terms, caps = data.cap[c].split(' ');
      // A frazione: "Name" or ["Name", "variant", ...]; under "e" when it was a comune.
      function frazioni(list, ex) {
        (list || []).forEach(function (f) {
          var names = [].concat(f);
          names.forEach(function (v) { terms.push(term(v, 'f', c, names[0], ex)); });
        });
      }
      idx.comuni.push({ n: name, u: more.u || data.url.replace('{}', slugify(name)), c: caps,
        s: data.sportelli[data.sportello[c]], t: data.telefoni[data.sportello[c]] });
      terms.push(term(name, 'n', c));
      if (more.a) terms.push(term(more.a, 'a', c));
      (more.o || []).forEach(function (o) { terms.push(term(o, 'o', c)); });
      frazioni(more.f);
      frazioni(more.e, true);
      (more.x || []).forEach(function (x) { terms.push(term(x, 'x', c)); });
      caps.forEach(function (cap) { idx.caps.push({ k: 'p', c: c, d: cap }); });
    });
    data.condivisi.forEach(function (p) {
      idx.shared[p[0]] = p[1];
      p[1].forEach(function (n) { idx.out.push(term(n, 'o', -1)); });
    });
    data.fuori.forEach(function (n) { idx.out.push(term(n, 'o', -1)); });
    byName(idx.terms, idx.exact);
    idx.terms.forEach(function (t) { (idx.byLength[t.s[0].length] = idx.byLength[t.s[0].length] || []).push(t); });
    byName(idx.out, idx.outExact);
    return idx;
  }

  // Terms by their whole name without spaces ("mottasanfermo"): a name found inside a longer text.
  function byName(terms, map) {
    terms.forEach(function (t) { (map[t.s[0]] = map[t.s[0]] || []).push(t); });
  }

  // Each query word begins the term's word at + i: "s giovanni in c", "rivarolo del re e u".
  function wordsStart(tw, qw, at) {
    return qw.every(function (x, i) { return tw[at + i] && !tw[at + i].lastIndexOf(x, 0); });
  }

  // 0 exact, 1 first words whole, 2 prefix or abbreviation, 3 from a later word; -1 no.
  function strongTier(t, q, qw) {
    for (var at = 0; at < t.s.length; at++) {
      if (!t.s[at].lastIndexOf(q, 0) || wordsStart(t.w, qw, at)) {
        return at ? 3 : t.s[0] === q ? 0 : qw.every(function (x, i) { return t.w[i] === x; }) ? 1 : 2;
      }
    }
    return -1;
  }

  var rows = [[], [], []];

  // Damerau-Levenshtein (optimal string alignment) of q to t and to t's closest prefix, in a band
  // of width max, given up when a row exceeds max. Returns full * 8 + prefix; max + 1 is "far".
  function distance(q, t, max) {
    var n = q.length, m = t.length, far = max + 1, i, j, v, lo, hi, best;
    var p2 = rows[0], p1 = rows[1], cur = rows[2], tmp;
    if (m < n - max) return far * 9;
    for (j = 0; j <= m + 1; j++) p1[j] = j <= max ? j : far;
    for (i = 1; i <= n; i++) {
      lo = Math.max(1, i - max);
      hi = Math.min(m, i + max);
      best = cur[lo - 1] = lo === 1 && i <= max ? i : far;
      for (j = lo; j <= hi; j++) {
        v = Math.min(p1[j - 1] + (q[i - 1] === t[j - 1] ? 0 : 1), p1[j] + 1, cur[j - 1] + 1, far);
        if (i > 1 && j > 1 && q[i - 1] === t[j - 2] && q[i - 2] === t[j - 1]) v = Math.min(v, p2[j - 2] + 1);
        best = Math.min(best, cur[j] = v);
      }
      cur[hi + 1] = far;
      if (best > max) return far * 9;
      tmp = p2; p2 = p1; p1 = cur; cur = tmp;
    }
    for (best = far, j = Math.max(0, n - max); j <= Math.min(m, n + max); j++) best = Math.min(best, p1[j]);
    return (Math.abs(m - n) <= max ? p1[m] : far) * 8 + best;
  }

  // 4 + 2 * (typos - 1), + 1 for a prefix; later words must match whole ("cremona" != "Cremonese").
  function fuzzyTier(t, q, max) {
    var tier = -1, at, d;
    for (at = 0; at < t.s.length; at++) {
      if (t.s[at].length < 5 || (at && t.w[at].length < 3)) continue;
      d = distance(q, t.s[at], max);
      d = d >> 3 <= max ? 2 + 2 * (d >> 3) : !at && (d & 7) <= max ? 3 + 2 * (d & 7) : -1;
      if (d >= 0 && (tier < 0 || d < tier)) tier = d;
    }
    return tier;
  }

  // The best hit of each comune: best first; names before frazioni; then A-Z.
  function collect(terms, tierOf) {
    var best = {}, list = [];
    terms.forEach(function (t) {
      var tier = tierOf(t), score = tier * 10 + RANK[t.k], old = best[t.c], hit;
      if (tier < 0 || (old && old.score <= score)) return;
      hit = { c: t.c, tier: tier, score: score, t: t };
      if (old) list[list.indexOf(old)] = hit;
      else list.push(hit);
      best[t.c] = hit;
    });
    return list.sort(function (a, b) { return a.score - b.score || a.c - b.c; });
  }

  function strong(terms, qw) {
    var q = qw.join('');
    return collect(terms, function (t) { return strongTier(t, q, qw); });
  }

  // Only the closest spellings: one typo hides the matches with two. Typos need 4 letters or more (allowed).
  function fuzzy(terms, qw) {
    var q = qw.join(''), max = allowed(q);
    var hits = max ? collect(terms, function (t) { return fuzzyTier(t, q, max); }) : [];
    return hits.filter(function (h) { return h.tier <= Math.max(hits[0].tier, 5); });
  }

  // An address or a longer text, as lists of words that can be a place: split at commas and
  // brackets; a street ("via Roma 5") is left out up to its house number (a whole part without
  // one, unless the text is that part alone); numbers, "fraz.",
  // "(CR)", "Lombardia", "Italia" and the like are dropped.
  function parts(text) {
    var pieces = String(text).split(/[,;()\[\]\n\/]+| - /), only = pieces.length === 1;
    return pieces.map(function (part) {
      var w = words(part), at = 0, number = -1;
      if (w.length && STREET.test(w[0])) {   // "via Casalmaggiore 3" is a street, not a comune
        w.some(function (x, i) { return /\d/.test(x) && (number = i); });
        at = number > 0 ? number + 1 : only ? (w.length > 2 ? 2 : 0) : w.length;
      }
      return w.slice(at).filter(function (x) { return !/\d/.test(x) && !NOISE.test(x); });
    }).filter(function (w) { return w.length; });
  }

  // The longest known name written whole somewhere in the parts: [terms] or null.
  function longestIn(list, map) {
    var best = null, size = 0;
    list.forEach(function (w) {
      for (var i = 0; i < w.length; i++) {
        for (var j = i + 1, key = ''; j <= Math.min(w.length, i + LONGEST_NAME); j++) {
          key += w[j - 1];
          if (map[key] && key.length > size) {
            best = map[key];
            size = key.length;
          }
        }
      }
    });
    return best;
  }

  // Typos allowed in what was typed: none under 4 letters, one up to 7, two from 8.
  function allowed(q) {
    return q.length < 4 ? 0 : q.length < 8 ? 1 : 2;
  }

  // The closest spelling of a whole name among the parts' word runs ("vicobelignano casalmagiore"):
  // only names of about the same length are compared (idx.byLength), so a long text stays fast.
  function typoIn(idx, list) {
    var best = [], bestScore = Infinity;
    function near(key, max, t) {
      var d = distance(key, t.s[0], max) >> 3, score = d * 100 - key.length;
      if (d > max || score > bestScore) return;
      if (score < bestScore) best = [];
      bestScore = score;
      best.push(t);
    }
    list.forEach(function (w) {
      for (var i = 0; i < w.length; i++) {
        for (var j = i + 1, key = ''; j <= Math.min(w.length, i + LONGEST_NAME); j++) {
          key += w[j - 1];
          for (var max = allowed(key), n = key.length - max; max && n <= key.length + max; n++) {
            (idx.byLength[n] || []).forEach(function (t) { near(key, max, t); });
          }
        }
      }
    });
    return best.length ? collect(best, function () { return 4 + 2 * Math.floor(bestScore / 100); }) : [];
  }

  // The best results among the parts taken one by one ("Vicobellignano, Casalmaggiore").
  function strongIn(idx, list) {
    var hits = [];
    list.forEach(function (w) {
      var found = strong(idx.terms, w);
      if (found.length && (!hits.length || found[0].tier < hits[0].tier)) hits = found;
    });
    return hits;
  }

  // {hits, cap: a CAP searched, out: a comune outside the project}
  function search(idx, text) {
    var qw = words(text), q = qw.join(''), list, cap, hits, out, within;
    if (/^\d+$/.test(q)) {
      return { cap: q.length === 5 && q, hits: collect(idx.caps, function (t) {
        return t.d.lastIndexOf(q, 0) ? -1 : t.d === q ? 0 : 1;
      }) };
    }
    list = parts(text);
    cap = qw.filter(function (x) { return /^\d{5}$/.test(x); })[0];
    hits = strong(idx.terms, qw);
    within = !hits.length && longestIn(list, idx.exact);
    if (within) hits = collect(within, function () { return 0; });
    // The parts one by one, unless the text was one part of plain words (already searched).
    if (!hits.length && (list.length > 1 || list[0] && list[0].join() !== qw.join())) hits = strongIn(idx, list);
    // Prefixes with typos, while a name is being typed; whole names with typos inside a text.
    if (!hits.length && list.length === 1 && list[0].length <= 3) hits = fuzzy(idx.terms, list[0]);
    if (!hits.length) hits = typoIn(idx, list);
    // A CAP beside a name picks, among the comuni of that name, those with the CAP.
    within = cap && hits.filter(function (h) { return idx.comuni[h.c].c.indexOf(cap) >= 0; });
    if (within && within.length) hits = within;
    out = !hits.length && longestIn(list, idx.outExact);
    return { hits: hits, out: out && out[0].d };
  }

  // Why a comune was found: "Vicobellignano, frazione di Casalmaggiore".
  function why(t, comune) {
    var k = t.k, s = t.f + ', frazione di ' + comune.n + (t.x ? ' (ex comune)' : '');
    if (k === 'f' && words(t.d).join('') !== words(t.f).join('')) s += ', scritto anche ' + t.d;
    return { p: 'CAP ' + t.d, a: t.d + ', nome nell\u2019articolo', o: t.d + ', altro nome', f: s,
      x: t.d + ', ex comune, oggi parte di ' + comune.n }[k];
  }

  function el(tag, text, parent, cls) {
    var e = parent.appendChild(document.createElement(tag));
    e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // "0372 1786314 — poi chiedi l'interno 1": the extension is read before the call.
  function phoneText(phone) {
    return phone[0] + (phone[1] ? ' \u2014 poi chiedi l\u2019interno ' + phone[1] : '');
  }

  function Finder(list, idx, spot) {
    var self = this, head = list.previousElementSibling, box = document.createElement('div');
    box.className = 'finder';
    box.setAttribute('role', 'search');
    box.innerHTML = '<label class="finder-label" for="finder-q">Cerca il tuo comune, la frazione o il CAP' +
      '</label><p class="finder-hint" id="finder-hint">Per esempio: Gussola, Vicobellignano oppure 26041.</p>' +
      '<input class="finder-input" id="finder-q" type="search" autocomplete="off" spellcheck="false" ' +
      'aria-describedby="finder-hint"><p class="finder-status" role="status" aria-live="polite"></p>' +
      '<div class="finder-note" hidden></div><ul class="finder-results" data-results hidden ' +
      'aria-label="Risultati"></ul>';
    this.list = list;
    this.idx = idx;
    // The heading naming the A-Z list is hidden with it.
    this.head = head && head.id && head.id === list.getAttribute('aria-labelledby') ? head : list;
    this.input = box.querySelector('input');
    this.status = box.querySelector('[role=status]');
    this.note = box.querySelector('div');
    this.results = box.querySelector('ul');
    // In its place under the page title, so that the field is in the first screen of a phone.
    if (spot) spot.appendChild(box);
    else list.parentNode.insertBefore(box, this.head);
    this.input.addEventListener('input', function () { self.update(); });
    box.addEventListener('keydown', function (ev) { self.key(ev); });
  }

  Finder.prototype.update = function () {
    var found = words(this.input.value).length && search(this.idx, this.input.value);
    var hits = found ? found.hits : [], n = hits.length, shared = n && found.cap && this.idx.shared[found.cap];
    var msg = n === 1 ? '1 risultato' : n + ' risultati';
    // Folded, not display:none nor inert: the browser keeps the long list laid out and styled, so
    // showing it again is cheap. Folded content can't take focus; aria-hidden hides the list's name.
    this.list.classList.toggle('finder-piegato', n > 0);
    this.head.hidden = n > 0;
    if (n) this.list.setAttribute('aria-hidden', 'true');
    else this.list.removeAttribute('aria-hidden');
    this.results.hidden = !n;
    this.results.textContent = this.note.textContent = '';
    this.note.hidden = !shared && !(found && !n);
    hits.slice(0, MAX_SHOWN).forEach(this.item, this);
    if (n > MAX_SHOWN) msg += ': ecco i primi ' + MAX_SHOWN + '. Scrivi di più per restringere.';
    if (shared) {
      msg += '. Il CAP ' + found.cap + ' è usato anche da comuni fuori dal consorzio.';
      el('p', 'Comuni fuori dal progetto con il CAP ' + found.cap + ': ' + shared.join(', ') +
        '. Conta il comune dove abiti, non il CAP.', this.note);
    }
    this.status.textContent = !found ? '' : n ? msg : this.nothing(found);
  };

  Finder.prototype.item = function (hit, i) {
    var comune = this.idx.comuni[hit.c], li = el('li', '', this.results, 'finder-result'), tel;
    var lines = [why(hit.t, comune), (hit.t.k === 'p' ? '' : 'CAP ' + comune.c.join(', ') + ' \u00b7 ') + comune.s];
    var a = el('a', comune.n, li, 'finder-link');
    a.href = comune.u;
    a.setAttribute('translate', 'no');
    a.setAttribute('aria-describedby', lines.map(function (line, j) {
      if (line) el('span', line, li, j ? 'finder-meta' : 'finder-why').id = 'finder-' + i + '-' + j;
      return line ? 'finder-' + i + '-' + j : '';
    }).join(' ').trim());
    if (comune.t && comune.t.length) {   // call the desk straight from the result
      tel = el('a', 'Telefono ' + phoneText(comune.t), li, 'finder-tel');
      tel.href = 'tel:+39' + comune.t[0].replace(/\D/g, '');
    }
  };

  // Nothing found: say it once, in the status; below, the list of the comuni and where to ask.
  // A place outside the project is named as such; only an unknown text gets the spelling hint.
  Finder.prototype.nothing = function (found) {
    var n = this.idx.comuni.length, cons = this.idx.cons, first, p;
    first = found.out ? found.out + ' non è tra i ' + n + ' comuni del progetto.'
      : found.cap ? 'Il CAP ' + found.cap + ' non è di nessuno dei ' + n + ' comuni del progetto.'
      : 'Controlla come hai scritto il nome, oppure cerca il CAP.';
    p = el('p', 'Lo sportello serve solo i ' + n + ' comuni elencati qui sotto. Per altre informazioni: ', this.note);
    el('a', 'sito del ' + cons.nome, p).href = cons.sito;
    p.appendChild(document.createTextNode('.'));
    return 'Nessun comune trovato. ' + first;
  };

  // Down from the field to the results, Up and Down between them, Enter opens, Escape clears.
  Finder.prototype.key = function (ev) {
    var links = [].slice.call(this.results.querySelectorAll('a.finder-link')), at = links.indexOf(ev.target);
    var k = ev.key, input = ev.target === this.input, go;
    if (k === 'Escape' || k === 'Esc') {
      this.input.value = '';
      this.update();
      go = this.input;
    } else if (!links.length || this.results.hidden) {
      return;
    } else if (input && k === 'Enter') {
      // One result: open it. Several: never guess (two may have different desks); go to the first
      // and say how many there are.
      ev.preventDefault();
      if (links.length === 1) return links[0].click();
      this.status.textContent = links.length + ' risultati: scegline uno.';
      go = links[0];
    } else if (k === 'ArrowDown' && (input || at >= 0)) {
      go = links[Math.min(at + 1, links.length - 1)];
    } else if (k === 'ArrowUp' && at >= 0) {
      go = links[at - 1] || this.input;
    }
    if (go) {
      ev.preventDefault();
      go.focus();
    }
  };

  function start() {
    var list = document.getElementById('elenco-comuni'), data = document.getElementById('indice-sportelli'), idx;
    var spot = document.getElementById('cerca-qui');
    try {
      idx = load(JSON.parse(data.textContent));
    } catch (e) {
      return;   // no index or no String.normalize: the A-Z list stays as it is
    }
    if (list) window.trovaSportello = { search: function (q) { return search(idx, q); }, finder: new Finder(list, idx, spot) };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
