/* "Trova il tuo sportello": type-ahead search over the comuni, frazioni and CAPs of ACTIVITY.CR.
   Progressive enhancement of the A-Z list #elenco-comuni, reading the index #indice-sportelli
   (built by sitegen/finder.py). No dependencies, no inline styles: only hidden and classList. */
(function () {
  'use strict';

  var MAX_SHOWN = 50;   // results drawn at most; the status says how many there are
  var DE = { de: 1, dei: 1, del: 1, della: 1, delle: 1, dello: 1, degli: 1 };
  var KIND_RANK = { n: 0, p: 0, a: 1, o: 2, f: 3, x: 4 };

  // -- normalisation: the same for the index and for the query ------------------------------

  /* Lower case, no accents, apostrophes and punctuation as spaces, "S." -> "san",
     "de'"/"dè"/"dei"/"del"... -> "de". Returns the list of words. */
  function words(text) {
    var s = String(text).toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    s = s.replace(/(^|[^a-z0-9])s\.(?=\s*[a-z])/g, '$1san ');
    var w = s.replace(/[^a-z0-9]+/g, ' ').trim();
    w = w ? w.split(' ') : [];
    for (var i = 0; i < w.length; i++) {
      if (DE[w[i]]) w[i] = 'de';
      else if (w[i] === 's' && i < w.length - 1) w[i] = 'san';
    }
    return w;
  }

  function slugify(name) {
    return name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '').toLowerCase()
      .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }

  // -- the index -----------------------------------------------------------------------------

  /* One searchable name. w: words; s: the name without spaces from each word on. */
  function term(text, kind, comune, extra) {
    var w = words(text), s = [], i;
    for (i = 0; i < w.length; i++) s.push(w.slice(i).join(''));
    return { d: text, k: kind, c: comune, w: w, s: s, f: extra && extra.f, x: extra && extra.x };
  }

  function load(data) {
    var comuni = [], terms = [], caps = {}, outside = [];
    data.comuni.forEach(function (e, i) {
      var url = e.u || data.url.replace('{}', slugify(e.n));
      var ex = (e.x || []).slice();
      comuni.push({ n: e.n, u: url, c: e.c ? e.c.split(' ') : [], s: data.sportelli[e.s] });
      terms.push(term(e.n, 'n', i));
      if (e.a) terms.push(term(e.a, 'a', i));
      (e.o || []).forEach(function (o) { terms.push(term(o, 'o', i)); });
      (e.f || []).forEach(function (f) {
        var names = typeof f === 'string' ? [f] : f;
        var j = ex.indexOf(names[0]), alsoEx = j >= 0;
        if (alsoEx) ex.splice(j, 1);
        names.forEach(function (v) { terms.push(term(v, 'f', i, { f: names[0], x: alsoEx })); });
      });
      ex.forEach(function (x) { terms.push(term(x, 'x', i)); });
      comuni[i].c.forEach(function (cap) { (caps[cap] = caps[cap] || []).push(i); });
    });
    (data.cap || []).forEach(function (pair) {
      pair[1].forEach(function (n) { outside.push(term(n, 'out', -1)); });
    });
    var shared = {};
    (data.cap || []).forEach(function (pair) { shared[pair[0]] = pair[1]; });
    return { comuni: comuni, terms: terms, caps: caps, shared: shared, outside: outside,
      consortium: data.consorzio };
  }

  // -- matching --------------------------------------------------------------------------------

  /* Each query word is the start of the term's words from `at` on: "s giovanni in c". */
  function wordsStart(tw, qw, at) {
    if (qw.length > tw.length - at) return false;
    for (var i = 0; i < qw.length; i++) {
      if (tw[at + i].lastIndexOf(qw[i], 0) !== 0) return false;
    }
    return true;
  }

  function sameWords(tw, qw) {
    for (var i = 0; i < qw.length; i++) if (tw[i] !== qw[i]) return false;
    return true;
  }

  /* Tier of an exact or prefix match (lower is better), or -1. */
  function strongTier(t, q, qw) {
    if (t.s[0] === q) return 0;
    if (t.s[0].lastIndexOf(q, 0) === 0 || wordsStart(t.w, qw, 0)) {
      return qw.length <= t.w.length && sameWords(t.w, qw) ? 1 : 2;
    }
    for (var at = 1; at < t.s.length; at++) {
      if (t.s[at].lastIndexOf(q, 0) === 0 || wordsStart(t.w, qw, at)) return 3;
    }
    return -1;
  }

  var rowA = [], rowB = [], rowC = [];

  /* Damerau-Levenshtein (optimal string alignment) between q and t, and between q and the best
     prefix of t, inside a band of width `max`; gives up as soon as a row exceeds `max`.
     Returns full * 8 + prefix, each capped at max + 1. */
  function distance(q, t, max) {
    var n = q.length, m = t.length, big = max + 1, i, j, lo, hi, v, best, p2 = rowA, p1 = rowB,
      cur = rowC, tmp;
    if (m < n - max) return big * 8 + big;
    for (j = 0; j <= m + 1; j++) p1[j] = j <= max ? j : big;
    for (i = 1; i <= n; i++) {
      lo = i - max > 1 ? i - max : 1;
      hi = i + max < m ? i + max : m;
      cur[lo - 1] = lo === 1 && i <= max ? i : big;
      best = cur[lo - 1];
      for (j = lo; j <= hi; j++) {
        v = p1[j - 1] + (q.charCodeAt(i - 1) === t.charCodeAt(j - 1) ? 0 : 1);
        if (p1[j] + 1 < v) v = p1[j] + 1;
        if (cur[j - 1] + 1 < v) v = cur[j - 1] + 1;
        if (i > 1 && j > 1 && q.charCodeAt(i - 1) === t.charCodeAt(j - 2) &&
            q.charCodeAt(i - 2) === t.charCodeAt(j - 1) && p2[j - 2] + 1 < v) v = p2[j - 2] + 1;
        if (v > big) v = big;
        cur[j] = v;
        if (v < best) best = v;
      }
      cur[hi + 1] = big;
      if (best > max) return big * 8 + big;
      tmp = p2; p2 = p1; p1 = cur; cur = tmp;
    }
    best = big;
    for (j = n - max > 0 ? n - max : 0; j <= m && j <= n + max; j++) if (p1[j] < best) best = p1[j];
    return (m - n <= max && n - m <= max ? p1[m] : big) * 8 + best;
  }

  function maxTypos(len) { return len < 5 ? 0 : len < 8 ? 1 : 2; }

  /* Fuzzy tier of a term (4 and up), or -1: one or two letters wrong, missing, extra or swapped. */
  function fuzzyTier(t, q, max) {
    var bestTier = -1;
    for (var at = 0; at < t.s.length; at++) {
      if (t.s[at].length < 5 || (at > 0 && t.w[at].length < 3)) continue;
      var d = distance(q, t.s[at], max), full = d >> 3, pre = d & 7;
      // Inside a name only whole words count: "cremona" is not a misspelt "Cremonese".
      var tier = full <= max ? 2 + full * 2 : pre <= max && at === 0 ? 3 + pre * 2 : -1;
      if (tier >= 0 && (bestTier < 0 || tier < bestTier)) bestTier = tier;
    }
    return bestTier;
  }

  /* Keeps, for each comune, its best match. */
  function Best() { this.byComune = {}; this.list = []; }
  Best.prototype.add = function (comune, tier, kind, t, extra) {
    var score = tier * 10 + KIND_RANK[kind], old = this.byComune[comune];
    if (old && old.score <= score) return;
    var hit = { comune: comune, score: score, tier: tier, kind: kind, term: t, cap: extra };
    if (!old) this.list.push(hit);
    else this.list[this.list.indexOf(old)] = hit;
    this.byComune[comune] = hit;
  };
  Best.prototype.sorted = function () {
    return this.list.sort(function (a, b) { return a.score - b.score || a.comune - b.comune; });
  };

  function searchCap(idx, q) {
    var best = new Best();
    Object.keys(idx.caps).sort().forEach(function (cap) {
      if (cap.lastIndexOf(q, 0) !== 0) return;
      idx.caps[cap].forEach(function (c) { best.add(c, cap === q ? 0 : 2, 'p', null, cap); });
    });
    return best.sorted();
  }

  function searchStrong(terms, q, qw) {
    var best = new Best(), i, t, tier;
    for (i = 0; i < terms.length; i++) {
      t = terms[i];
      tier = strongTier(t, q, qw);
      if (tier >= 0) best.add(t.c, tier, t.k, t);
    }
    return best.sorted();
  }

  function searchFuzzy(terms, q) {
    var best = new Best(), max = maxTypos(q.length), i, t, tier, top = 99;
    if (!max) return [];
    for (i = 0; i < terms.length; i++) {
      t = terms[i];
      tier = fuzzyTier(t, q, max);
      if (tier >= 0) {
        best.add(t.c, tier, t.k, t);
        if (tier < top) top = tier;
      }
    }
    // Only the closest spellings: one wrong letter hides the matches with two.
    return best.sorted().filter(function (h) { return h.tier <= (top <= 5 ? 5 : top); });
  }

  var PROVINCE = /\s+(?:(?:provincia|prov|pr)\s+(?:di\s+)?)?(?:cr|cre|crem|cremo|cremon|cremona)(?:\s+(?:lombardia|italia|it))*$/;

  /* What the citizen typed without "comune di", a trailing "(CR)" / ", Cremona" and a CAP. */
  function trimmed(qw) {
    var s = ' ' + qw.join(' ');
    s = s.replace(PROVINCE, '').replace(/^\s+(?:comune\s+(?:de\s+|di\s+)?|frazione\s+(?:de\s+|di\s+)?|fraz\s+)/, ' ');
    var w = s.trim().split(' ').filter(function (x) { return x && !/^\d{5}$/.test(x); });
    return w.length ? w : qw;
  }

  /* The results for a query: {hits, cap, outside}. */
  function search(idx, text) {
    var qw = words(text), q = qw.join(''), hits, w2, q2, comma, out;
    if (!q) return { hits: [] };
    if (/^\d+$/.test(q)) {
      return { hits: q.length <= 5 ? searchCap(idx, q) : [], cap: q.length === 5 ? q : null };
    }
    if (/^(?:(?:provincia|prov)(?: di)? )?(?:cremona|cr)$/.test(qw.join(' ')) && qw.length > 1 || q === 'cremona') {
      return { hits: [], outside: 'Cremona' };   // the city or the province: not one of the comuni
    }
    hits = searchStrong(idx.terms, q, qw);
    w2 = trimmed(qw);
    q2 = w2.join('');
    if (!hits.length && q2 !== q) hits = searchStrong(idx.terms, q2, w2);
    comma = text.indexOf(',') > 0 ? trimmed(words(text.slice(0, text.indexOf(',')))) : null;
    if (!hits.length && comma && comma.length) {   // "Vicobellignano, Casalmaggiore"
      hits = searchStrong(idx.terms, comma.join(''), comma);
    }
    out = hits.length ? [] : searchStrong(idx.outside, q2, w2);
    if (!hits.length && !(out.length && out[0].tier === 0)) hits = searchFuzzy(idx.terms, q2);
    if (!hits.length && comma && comma.length) hits = searchFuzzy(idx.terms, comma.join(''));
    return { hits: hits, outside: !hits.length && out.length ? out[0].term.d : null };
  }

  // -- what a result says ----------------------------------------------------------------------

  function why(hit, comune) {
    var t = hit.term;
    if (hit.kind === 'p') return 'CAP ' + hit.cap;
    if (hit.kind === 'n') return '';
    if (hit.kind === 'a') return t.d + ', nome nell\u2019articolo';
    if (hit.kind === 'o') return t.d + ', altro nome';
    if (hit.kind === 'x') return t.d + ', ex comune, oggi parte di ' + comune.n;
    var s = t.f + ', frazione di ' + comune.n + (t.x ? ' (ex comune)' : '');
    if (t.d !== t.f && words(t.d).join('') !== words(t.f).join('')) s += ', scritto anche ' + t.d;
    return s;
  }

  function meta(hit, comune) {
    var parts = hit.kind === 'p' ? [] : ['CAP ' + comune.c.join(', ')];
    parts.push(comune.s);
    return parts.join(' \u00b7 ');
  }

  function plural(n) { return n === 1 ? '1 risultato' : n + ' risultati'; }

  // -- the page --------------------------------------------------------------------------------

  /* The heading that names the A-Z list, when it sits just above it: hidden with the list. */
  function listHeading(list) {
    var prev = list.previousElementSibling, id = list.getAttribute('aria-labelledby');
    return prev && id && prev.id === id ? prev : null;
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text) e.textContent = text;
    return e;
  }

  function Finder(list, idx) {
    this.list = list;
    this.idx = idx;
    this.build();
  }

  Finder.prototype.build = function () {
    var box = el('div', 'finder');
    box.setAttribute('role', 'search');
    var label = el('label', 'finder-label', 'Cerca il tuo comune, la frazione o il CAP');
    label.htmlFor = 'finder-q';
    var hint = el('p', 'finder-hint', 'Per esempio: Gussola, Vicobellignano oppure 26041.');
    hint.id = 'finder-hint';
    var input = el('input', 'finder-input');
    input.type = 'search';
    input.id = 'finder-q';
    input.setAttribute('autocomplete', 'off');
    input.setAttribute('autocapitalize', 'off');
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('aria-describedby', 'finder-hint');
    var status = el('p', 'finder-status');
    status.id = 'finder-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    var note = el('p', 'finder-note');
    note.hidden = true;
    var help = el('div', 'finder-help');
    help.hidden = true;
    var results = el('ul', 'finder-results');
    results.setAttribute('data-results', '');
    results.setAttribute('aria-label', 'Risultati');
    results.hidden = true;
    [label, hint, input, status, note, help, results].forEach(function (e) { box.appendChild(e); });
    this.heading = listHeading(this.list);
    (this.heading || this.list).parentNode.insertBefore(box, this.heading || this.list);
    this.input = input; this.status = status; this.note = note; this.help = help;
    this.results = results;
    var self = this;
    input.addEventListener('input', function () { self.update(); });
    input.addEventListener('keydown', function (ev) { self.onInputKey(ev); });
    box.addEventListener('keydown', function (ev) { self.onResultKey(ev); });
  };

  Finder.prototype.update = function () {
    var text = this.input.value, found;
    if (!words(text).length) return this.show(null);
    found = search(this.idx, text);
    this.show(found);
  };

  Finder.prototype.show = function (found) {
    var empty = !found, hits = found ? found.hits : [];
    this.list.hidden = !empty;
    if (this.heading) this.heading.hidden = !empty;
    this.results.hidden = empty || !hits.length;
    this.results.textContent = '';
    this.note.hidden = true;
    this.help.hidden = empty || hits.length > 0;
    if (empty) { this.status.textContent = ''; return; }
    if (!hits.length) return this.showNothing(found);
    for (var i = 0; i < hits.length && i < MAX_SHOWN; i++) this.results.appendChild(this.item(hits[i], i));
    var msg = plural(hits.length);
    if (hits.length > MAX_SHOWN) msg += ': ecco i primi ' + MAX_SHOWN + '. Scrivi di più per restringere la ricerca.';
    var shared = found.cap && this.idx.shared[found.cap];
    if (shared) {
      msg += '. Il CAP ' + found.cap + ' è usato anche da comuni fuori dal consorzio.';
      this.note.textContent = 'Il CAP ' + found.cap + ' è usato anche da comuni che non fanno parte di ' +
        'ACTIVITY.CR: ' + shared.join(', ') + '. Se abiti in uno di questi comuni, chiedi ai ' +
        'servizi sociali del tuo comune.';
      this.note.hidden = false;
    }
    this.status.textContent = msg;
  };

  Finder.prototype.item = function (hit, i) {
    var comune = this.idx.comuni[hit.comune];
    var li = el('li', 'finder-result');
    var a = el('a', 'finder-link', comune.n);
    a.href = comune.u;
    var ids = [];
    var reason = why(hit, comune);
    li.appendChild(a);
    if (reason) { li.appendChild(this.line('finder-why', reason, 'finder-why-' + i)); ids.push('finder-why-' + i); }
    li.appendChild(this.line('finder-meta', meta(hit, comune), 'finder-meta-' + i));
    ids.push('finder-meta-' + i);
    a.setAttribute('aria-describedby', ids.join(' '));
    return li;
  };

  Finder.prototype.line = function (className, text, id) {
    var p = el('span', className, text);
    p.id = id;
    return p;
  };

  Finder.prototype.showNothing = function (found) {
    var n = this.idx.comuni.length, c = this.idx.consortium, help = this.help;
    var first = found.outside
      ? found.outside + ' non è tra i ' + n + ' comuni serviti da ACTIVITY.CR.'
      : found.cap ? 'Il CAP ' + found.cap + ' non è di uno dei ' + n + ' comuni serviti da ACTIVITY.CR.'
        : 'Controlla come hai scritto il nome, oppure cerca il CAP.';
    this.status.textContent = 'Nessun comune trovato. ' + first;
    help.textContent = '';
    help.appendChild(el('p', 'finder-help-text', 'ACTIVITY.CR serve solo questi ' + n +
      ' comuni del Casalasco:'));
    var ul = el('ul', 'finder-all');
    this.idx.comuni.forEach(function (comune) {
      var li = el('li');
      var a = el('a', '', comune.n);
      a.href = comune.u;
      li.appendChild(a);
      ul.appendChild(li);
    });
    help.appendChild(ul);
    help.appendChild(el('p', 'finder-help-text', 'Se abiti in un altro comune, chiedi ai servizi ' +
      'sociali del tuo comune.'));
    var p = el('p', 'finder-help-text', 'Informazioni sui servizi del territorio: ');
    var site = el('a', '', c.nome);
    site.href = c.sito;
    p.appendChild(site);
    p.appendChild(document.createTextNode(' (' + c.sito.replace(/^https?:\/\/|\/$/g, '') + ').'));
    help.appendChild(p);
  };

  Finder.prototype.links = function () {
    return Array.prototype.slice.call(this.results.querySelectorAll('a'));
  };

  Finder.prototype.onInputKey = function (ev) {
    var links = this.links();
    if (ev.key === 'ArrowDown' && links.length && !this.results.hidden) {
      ev.preventDefault();
      links[0].focus();
    } else if (ev.key === 'Enter' && links.length && !this.results.hidden) {
      ev.preventDefault();
      links[0].click();
    } else if (ev.key === 'Escape' || ev.key === 'Esc') {
      ev.preventDefault();
      this.clear();
    }
  };

  Finder.prototype.onResultKey = function (ev) {
    if (ev.target === this.input) return;
    var links = this.links(), at = links.indexOf(ev.target);
    if (ev.key === 'Escape' || ev.key === 'Esc') {
      ev.preventDefault();
      this.clear();
    } else if (at >= 0 && ev.key === 'ArrowDown') {
      ev.preventDefault();
      if (at < links.length - 1) links[at + 1].focus();
    } else if (at >= 0 && ev.key === 'ArrowUp') {
      ev.preventDefault();
      (at > 0 ? links[at - 1] : this.input).focus();
    }
  };

  Finder.prototype.clear = function () {
    this.input.value = '';
    this.update();
    this.input.focus();
  };

  function start() {
    var list = document.getElementById('elenco-comuni');
    var data = document.getElementById('indice-sportelli');
    if (!list || !data || !''.normalize) return;
    var idx;
    try { idx = load(JSON.parse(data.textContent)); } catch (e) { return; }   // keep the A-Z list
    var finder = new Finder(list, idx);
    window.trovaSportello = { search: function (q) { return search(idx, q); }, finder: finder };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
}());
