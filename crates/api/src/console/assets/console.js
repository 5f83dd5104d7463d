// ossemu console. Every data request goes to /_ossemu/console/api/oss/<bucket>/<key>: an OSS
// request the server runs as the signed-in credential (same handlers, same ACLs and policies
// as an SDK's). State-changing requests carry the session's CSRF token in x-ossemu-csrf.
'use strict';

const BASE = '/_ossemu/console';
const API = BASE + '/api/oss';
const MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const PART_SIZE = 5 * 1024 * 1024;
const PAGE_SIZE = 100;
const TRAIL_MAX = 500;
const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

let session = null;
let trailSource = null;
const trail = { events: [], paused: false, received: 0 };
const view = { bucket: null, sub: 'objects', prefix: '', delimiter: true, tokens: [''], page: 0, detailKey: null };

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- small DOM helpers

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

function showError(id, err) {
  const p = $(id);
  if (!err) { p.hidden = true; p.textContent = ''; return; }
  p.textContent = err instanceof ApiError ? err.describe() : String(err.message || err);
  p.hidden = false;
}

function flash(id, text) {
  const s = $(id);
  s.textContent = text;
  setTimeout(() => { if (s.textContent === text) s.textContent = ''; }, 4000);
}

function formatBytes(n) {
  n = Number(n);
  if (!isFinite(n)) return '';
  if (n < 1024) return n + ' B';
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < units.length - 1);
  return n.toFixed(n < 10 ? 1 : 0) + ' ' + units[i];
}

function formatDate(s) {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d) ? s : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

// ---------------------------------------------------------------- XML

function parseXml(text) {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  return doc.getElementsByTagName('parsererror').length ? null : doc;
}

/** The element children of `node` named `name`. */
function kids(node, name) {
  return node ? Array.from(node.children).filter((c) => c.localName === name) : [];
}

/** The first element child named `name`. */
function kid(node, name) { return kids(node, name)[0] || null; }

/** The text of the first child named `name` ('' if none). */
function kidText(node, name) { const k = kid(node, name); return k ? k.textContent : ''; }

function escapeXml(s) {
  return String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]));
}

/** Indented XML text of an element (for the editor). */
function prettyXml(node, depth = 0) {
  const pad = '  '.repeat(depth);
  const elems = Array.from(node.children);
  if (!elems.length) {
    const t = node.textContent;
    return t ? `${pad}<${node.nodeName}>${escapeXml(t)}</${node.nodeName}>` : `${pad}<${node.nodeName}/>`;
  }
  const inner = elems.map((c) => prettyXml(c, depth + 1)).join('\n');
  return `${pad}<${node.nodeName}>\n${inner}\n${pad}</${node.nodeName}>`;
}

// ---------------------------------------------------------------- requests

class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || code || ('HTTP ' + status));
    this.status = status;
    this.code = code;
    this.fields = fields || {};
  }
  describe() {
    const head = this.code ? `${this.code}: ${this.message}` : this.message;
    const extra = Object.entries(this.fields).map(([k, v]) => `${k}: ${v}`).join('\n');
    return extra ? `${head}\n${extra}` : head;
  }
}

/** The error a failed answer carries (OSS/S3 error XML, or the console's JSON). */
function errorOf(status, text) {
  const doc = text && text.trim().startsWith('<') ? parseXml(text) : null;
  if (doc && doc.documentElement.localName === 'Error') {
    const fields = {};
    for (const c of doc.documentElement.children) {
      if (!['Code', 'Message', 'RequestId', 'HostId', 'EC', 'RecommendDoc'].includes(c.localName)) {
        fields[c.localName] = c.textContent;
      }
    }
    return new ApiError(status, kidText(doc.documentElement, 'Code'), kidText(doc.documentElement, 'Message'), fields);
  }
  try { return new ApiError(status, '', JSON.parse(text).error); } catch (_) { /* not JSON */ }
  return new ApiError(status, '', `HTTP ${status}`);
}

function queryString(query) {
  if (!query) return '';
  const parts = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === false) continue;
    parts.push(v === null || v === true ? encodeURIComponent(k) : `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  }
  return parts.length ? '?' + parts.join('&') : '';
}

function encodeKey(key) { return key.split('/').map(encodeURIComponent).join('/'); }

/** The console API path of a bucket (`key` undefined) or an object. */
function apiPath(bucket, key, query) {
  let p = API + '/';
  if (bucket) p += encodeURIComponent(bucket) + '/';
  if (key) p += encodeKey(key);
  return p + queryString(query);
}

function signedOut() {
  session = null;
  if (trailSource) { trailSource.close(); trailSource = null; }
  showLogin();
}

/**
 * One OSS request as the signed-in credential: resolves to {status, headers, text}, rejects
 * with an ApiError for any status from 300 (or the console's 401: back to sign-in).
 */
async function call(method, path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  if (method !== 'GET' && method !== 'HEAD' && session) headers['x-ossemu-csrf'] = session.csrf;
  const r = await fetch(path, { method, headers, body: opts.body, credentials: 'same-origin', cache: 'no-store' });
  const text = method === 'HEAD' ? '' : await r.text();
  if (r.status === 401 && !text.trim().startsWith('<')) { signedOut(); throw new ApiError(401, '', 'signed out'); }
  if (r.status >= 300) throw errorOf(r.status, text);
  return { status: r.status, headers: r.headers, text };
}

/** A PUT with upload progress (XMLHttpRequest: fetch reports none); resolves to its ETag. */
function putWithProgress(path, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('PUT', path);
    x.setRequestHeader('x-ossemu-csrf', session.csrf);
    for (const [k, v] of Object.entries(headers || {})) x.setRequestHeader(k, v);
    x.upload.addEventListener('progress', (e) => onProgress(e.loaded));
    x.addEventListener('load', () => {
      if (x.status >= 300) {
        if (x.status === 401) signedOut();
        reject(errorOf(x.status, x.responseText));
      } else {
        resolve(x.getResponseHeader('ETag'));
      }
    });
    x.addEventListener('error', () => reject(new Error('the upload failed (connection)')));
    x.send(body);
  });
}

// ---------------------------------------------------------------- sign-in

function showLogin() {
  for (const id of ['buckets-view', 'bucket-view', 'trail-view', 'explain-view', 'main-nav', 'whoami', 'logout']) $(id).hidden = true;
  $('login-view').hidden = false;
  $('login-access-key').focus();
}

async function login(e) {
  e.preventDefault();
  showError('login-error', null);
  const body = JSON.stringify({ accessKey: $('login-access-key').value, secret: $('login-secret').value });
  const r = await fetch(BASE + '/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body, credentials: 'same-origin' });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) { showError('login-error', new Error(answer.error || `sign-in failed (HTTP ${r.status})`)); return; }
  $('login-secret').value = '';
  enter(answer);
}

async function logout() {
  await fetch(BASE + '/logout', { method: 'POST', headers: { 'x-ossemu-csrf': session ? session.csrf : '' }, credentials: 'same-origin' });
  location.hash = '';
  signedOut();
}

function enter(s) {
  session = s;
  $('login-view').hidden = true;
  $('main-nav').hidden = false;
  $('whoami').hidden = false;
  $('logout').hidden = false;
  $('whoami').textContent = s.user ? `${s.accessKey} (user ${s.user} of ${s.ownerId})` : `${s.accessKey} (${s.displayName})`;
  startTrail();
  route();
}

// ---------------------------------------------------------------- navigation

/** `#/buckets`, `#/trail`, `#/b/<bucket>/<sub>[?prefix=...]`. */
function route() {
  if (!session) return;
  const hash = location.hash.replace(/^#/, '') || '/buckets';
  const [path, qs] = hash.split('?');
  const params = new URLSearchParams(qs || '');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const t of document.querySelectorAll('.tab')) t.classList.remove('active');
  $('buckets-view').hidden = $('bucket-view').hidden = $('trail-view').hidden = $('explain-view').hidden = true;
  if (parts[0] === 'trail') {
    $('tab-trail').classList.add('active');
    $('trail-view').hidden = false;
    return;
  }
  if (parts[0] === 'explain') {
    $('tab-explain').classList.add('active');
    $('explain-view').hidden = false;
    if (!$('explain-host').value) $('explain-host').value = location.host;
    return;
  }
  $('tab-buckets').classList.add('active');
  if (parts[0] === 'b' && parts[1]) {
    openBucket(parts[1], parts[2] || 'objects', params.get('prefix') || '');
  } else {
    $('buckets-view').hidden = false;
    loadBuckets();
  }
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function bucketHash(bucket, sub, prefix) {
  let h = `#/b/${encodeURIComponent(bucket)}/${sub}`;
  if (prefix) h += '?prefix=' + encodeURIComponent(prefix);
  return h;
}

// ---------------------------------------------------------------- buckets

async function loadBuckets() {
  showError('buckets-error', null);
  const body = $('bucket-list').tBodies[0];
  let doc;
  try {
    doc = parseXml((await call('GET', apiPath())).text);
  } catch (e) { showError('buckets-error', e); return; }
  clear(body);
  const buckets = kids(kid(doc.documentElement, 'Buckets'), 'Bucket');
  if (!buckets.length) body.append(el('tr', {}, el('td', { colspan: 5, class: 'hint', text: 'No buckets yet.' })));
  for (const b of buckets) {
    const name = kidText(b, 'Name');
    const acl = el('td', { class: 'acl', text: '…' });
    const versioning = el('td', { class: 'versioning', text: '…' });
    const row = el('tr', { class: 'clickable', 'data-bucket': name },
      el('td', {}, el('a', { href: bucketHash(name, 'objects'), class: 'bucket-link', text: name })),
      el('td', { text: formatDate(kidText(b, 'CreationDate')) }),
      acl, versioning,
      el('td', {}, el('button', { class: 'danger delete-bucket', text: 'Delete', onclick: (e) => { e.stopPropagation(); deleteBucket(name); } })));
    row.addEventListener('click', () => go(bucketHash(name, 'objects')));
    body.append(row);
    bucketAcl(name).then((v) => { acl.textContent = v; }, () => { acl.textContent = '—'; });
    versioningStatus(name).then((v) => { versioning.textContent = v; }, () => { versioning.textContent = '—'; });
  }
}

async function bucketAcl(name) {
  const doc = parseXml((await call('GET', apiPath(name, '', { acl: null }))).text);
  return kidText(kid(doc.documentElement, 'AccessControlList'), 'Grant') || 'private';
}

async function versioningStatus(name) {
  const doc = parseXml((await call('GET', apiPath(name, '', { versioning: null }))).text);
  return kidText(doc.documentElement, 'Status') || 'Off (never enabled)';
}

async function createBucket(e) {
  e.preventDefault();
  showError('buckets-error', null);
  const name = $('new-bucket-name').value.trim();
  try {
    await call('PUT', apiPath(name), { headers: { 'x-oss-acl': $('new-bucket-acl').value } });
    $('new-bucket-name').value = '';
    loadBuckets();
  } catch (err) { showError('buckets-error', err); }
}

async function deleteBucket(name) {
  if (!confirm(`Delete bucket ${name}? It must be empty.`)) return;
  showError('buckets-error', null);
  try { await call('DELETE', apiPath(name)); loadBuckets(); } catch (err) { showError('buckets-error', err); }
}

// ---------------------------------------------------------------- one bucket

function openBucket(bucket, sub, prefix) {
  const changed = view.bucket !== bucket;
  view.bucket = bucket;
  view.sub = sub;
  $('bucket-view').hidden = false;
  $('bucket-title').textContent = bucket;
  for (const b of document.querySelectorAll('.subtab')) b.classList.toggle('active', b.dataset.sub === sub);
  for (const p of ['objects', 'website', 'domains', 'settings']) $(p + '-pane').hidden = p !== sub;
  if (sub === 'objects') {
    if (changed || prefix !== view.prefix) { view.tokens = ['']; view.page = 0; closeDetails(); }
    view.prefix = prefix;
    $('prefix-input').value = prefix;
    loadObjects();
  } else if (sub === 'website') loadWebsite();
  else if (sub === 'domains') loadDomains();
  else if (sub === 'settings') loadSettings();
}

// ---------------------------------------------------------------- objects

async function loadObjects() {
  showError('objects-error', null);
  const { bucket, prefix } = view;
  $('upload-target').textContent = `${bucket}/${prefix}`;
  renderBreadcrumbs();
  const q = { 'list-type': '2', prefix, 'max-keys': String(PAGE_SIZE) };
  if (view.delimiter) q.delimiter = '/';
  const token = view.tokens[view.page];
  if (token) q['continuation-token'] = token;
  let doc;
  try {
    doc = parseXml((await call('GET', apiPath(bucket, '', q))).text);
  } catch (e) { showError('objects-error', e); clear($('object-list').tBodies[0]); return; }
  const root = doc.documentElement;
  const body = clear($('object-list').tBodies[0]);
  for (const cp of kids(root, 'CommonPrefixes')) {
    const p = kidText(cp, 'Prefix');
    const row = el('tr', { class: 'clickable prefix-row', 'data-prefix': p },
      el('td', { class: 'key folder', text: p.slice(prefix.length) }), el('td'), el('td', { class: 'hint', text: 'folder' }), el('td'));
    row.addEventListener('click', () => go(bucketHash(bucket, 'objects', p)));
    body.append(row);
  }
  for (const c of kids(root, 'Contents')) {
    const key = kidText(c, 'Key');
    const row = el('tr', { class: 'clickable object-row', 'data-key': key },
      el('td', { class: 'key', text: key.slice(prefix.length) || key }),
      el('td', { class: 'num', text: formatBytes(kidText(c, 'Size')) }),
      el('td', { text: formatDate(kidText(c, 'LastModified')) }),
      el('td', { text: kidText(c, 'StorageClass') }));
    row.addEventListener('click', () => showDetails(key));
    body.append(row);
  }
  if (!body.rows.length) body.append(el('tr', {}, el('td', { colspan: 4, class: 'hint', text: `Nothing under “${prefix || '/'}”.` })));
  const truncated = kidText(root, 'IsTruncated') === 'true';
  view.tokens.length = view.page + 1;
  if (truncated) view.tokens.push(kidText(root, 'NextContinuationToken'));
  $('next-page').hidden = !truncated;
  $('first-page').hidden = view.page === 0;
  $('page-info').textContent = `Page ${view.page + 1} · ${kidText(root, 'KeyCount') || body.rows.length} entries`;
}

function renderBreadcrumbs() {
  const bc = clear($('breadcrumbs'));
  const link = (label, p) => el('a', { text: label, onclick: () => go(bucketHash(view.bucket, 'objects', p)) });
  bc.append(link(view.bucket, ''));
  let acc = '';
  for (const part of view.prefix.split('/').filter(Boolean)) {
    acc += part + '/';
    bc.append(' / ', link(part, acc));
  }
}

function closeDetails() {
  view.detailKey = null;
  $('object-details').hidden = true;
  for (const r of document.querySelectorAll('#object-list tr.selected')) r.classList.remove('selected');
}

async function showDetails(key) {
  view.detailKey = key;
  showError('detail-error', null);
  for (const r of document.querySelectorAll('#object-list tr.object-row')) r.classList.toggle('selected', r.dataset.key === key);
  $('object-details').hidden = false;
  $('detail-key').textContent = key;
  const link = $('download-link');
  link.href = apiPath(view.bucket, key);
  link.setAttribute('download', key.split('/').pop());
  const meta = clear($('meta-table').tBodies[0]);
  try {
    const r = await call('HEAD', apiPath(view.bucket, key));
    const shown = ['content-type', 'content-length', 'etag', 'last-modified', 'cache-control', 'content-disposition',
      'content-encoding', 'x-oss-object-type', 'x-oss-storage-class', 'x-oss-version-id', 'x-oss-tagging-count',
      'x-oss-hash-crc64ecma', 'x-oss-server-side-encryption', 'x-oss-tag'];
    for (const [k, v] of r.headers) {
      if (shown.includes(k) || k.startsWith('x-oss-meta-')) {
        meta.append(el('tr', { 'data-meta': k }, el('td', { text: k }), el('td', { class: 'mono', text: k === 'content-length' ? `${v} (${formatBytes(v)})` : v })));
      }
    }
  } catch (e) { showError('detail-error', e); }
  loadTags(key);
}

async function loadTags(key) {
  const body = clear($('tag-table').tBodies[0]);
  let tags = [];
  try {
    const doc = parseXml((await call('GET', apiPath(view.bucket, key, { tagging: null }))).text);
    tags = kids(kid(doc.documentElement, 'TagSet'), 'Tag').map((t) => [kidText(t, 'Key'), kidText(t, 'Value')]);
  } catch (e) { showError('detail-error', e); return; }
  if (!tags.length) body.append(el('tr', {}, el('td', { class: 'hint', text: 'No tags.' })));
  for (const [k, v] of tags) {
    body.append(el('tr', { 'data-tag': k }, el('td', { text: k }), el('td', { text: v }),
      el('td', {}, el('button', { class: 'danger', text: 'Remove', onclick: () => saveTags(key, tags.filter(([t]) => t !== k)) }))));
  }
  view.tags = tags;
}

async function saveTags(key, tags) {
  showError('detail-error', null);
  const xml = XML_DECL + '<Tagging><TagSet>' +
    tags.map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`).join('') +
    '</TagSet></Tagging>';
  try {
    if (tags.length) await call('PUT', apiPath(view.bucket, key, { tagging: null }), { body: xml, headers: { 'content-type': 'application/xml' } });
    else await call('DELETE', apiPath(view.bucket, key, { tagging: null }));
  } catch (e) { showError('detail-error', e); }
  loadTags(key);
}

async function addTag(e) {
  e.preventDefault();
  const k = $('tag-key').value.trim();
  if (!k || !view.detailKey) return;
  const tags = (view.tags || []).filter(([t]) => t !== k);
  tags.push([k, $('tag-value').value]);
  $('tag-key').value = $('tag-value').value = '';
  await saveTags(view.detailKey, tags);
}

async function deleteObject() {
  const key = view.detailKey;
  if (!key || !confirm(`Delete ${key}?`)) return;
  try {
    await call('DELETE', apiPath(view.bucket, key));
    closeDetails();
    loadObjects();
  } catch (e) { showError('detail-error', e); }
}

// ---------------------------------------------------------------- uploads

function uploadFiles(files) {
  const bucket = view.bucket;
  const prefix = view.prefix;
  const jobs = Array.from(files).map((f) => uploadOne(bucket, prefix + f.name, f));
  Promise.allSettled(jobs).then(() => { if (view.bucket === bucket && view.prefix === prefix) loadObjects(); });
}

async function uploadOne(bucket, key, file) {
  const bar = el('progress', { max: String(Math.max(file.size, 1)), value: '0' });
  const state = el('span', { class: 'state', text: 'waiting' });
  const row = el('div', { class: 'upload', 'data-key': key }, el('span', { class: 'name', text: key }), bar, state);
  $('uploads').append(row);
  const progress = (n) => {
    bar.value = n;
    state.textContent = `${Math.floor((100 * n) / Math.max(file.size, 1))}% of ${formatBytes(file.size)}`;
  };
  const headers = { 'content-type': file.type || 'application/octet-stream' };
  try {
    let how;
    if (file.size <= MULTIPART_THRESHOLD) {
      await putWithProgress(apiPath(bucket, key), file, headers, progress);
      how = 'done';
    } else {
      const parts = await multipart(bucket, key, file, headers, progress);
      how = `done (multipart, ${parts} parts)`;
    }
    progress(file.size);
    row.classList.add('done');
    state.textContent = how;
  } catch (e) {
    row.classList.add('failed');
    state.textContent = 'failed: ' + (e instanceof ApiError ? e.describe() : e.message);
  }
}

/** A multipart upload in PART_SIZE parts, one after another; resolves to the part count. */
async function multipart(bucket, key, file, headers, progress) {
  const init = parseXml((await call('POST', apiPath(bucket, key, { uploads: null }), { headers })).text);
  const uploadId = kidText(init.documentElement, 'UploadId');
  const etags = [];
  try {
    for (let n = 1, start = 0; start < file.size; n++, start += PART_SIZE) {
      const blob = file.slice(start, Math.min(start + PART_SIZE, file.size));
      const path = apiPath(bucket, key, { partNumber: String(n), uploadId });
      etags.push(await putWithProgress(path, blob, {}, (loaded) => progress(start + loaded)));
    }
    const xml = XML_DECL + '<CompleteMultipartUpload>' +
      etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    await call('POST', apiPath(bucket, key, { uploadId }), { body: xml, headers: { 'content-type': 'application/xml' } });
  } catch (e) {
    call('DELETE', apiPath(bucket, key, { uploadId })).catch(() => {});
    throw e;
  }
  return etags.length;
}

function setUpDropZone() {
  const zone = $('drop-zone');
  for (const t of ['dragenter', 'dragover']) {
    zone.addEventListener(t, (e) => { e.preventDefault(); zone.classList.add('over'); });
  }
  for (const t of ['dragleave', 'drop']) {
    zone.addEventListener(t, () => zone.classList.remove('over'));
  }
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    if (e.dataTransfer && e.dataTransfer.files.length) uploadFiles(e.dataTransfer.files);
  });
  $('file-input').addEventListener('change', (e) => {
    uploadFiles(e.target.files);
    e.target.value = '';
  });
}

// ---------------------------------------------------------------- website rules

const WEBSITE_TEMPLATE = `<WebsiteConfiguration>
  <IndexDocument>
    <Suffix>index.html</Suffix>
  </IndexDocument>
  <ErrorDocument>
    <Key>error.html</Key>
  </ErrorDocument>
  <RoutingRules>
    <RoutingRule>
      <RuleNumber>1</RuleNumber>
      <Condition>
        <KeyPrefixEquals>img/</KeyPrefixEquals>
        <HttpErrorCodeReturnedEquals>404</HttpErrorCodeReturnedEquals>
      </Condition>
      <Redirect>
        <RedirectType>Mirror</RedirectType>
        <MirrorURL>http://origin.example.com/</MirrorURL>
      </Redirect>
    </RoutingRule>
  </RoutingRules>
</WebsiteConfiguration>`;

/** A rule's condition in words. */
function describeCondition(cond) {
  const parts = [];
  const prefix = kidText(cond, 'KeyPrefixEquals');
  const suffix = kidText(cond, 'KeySuffixEquals');
  const code = kidText(cond, 'HttpErrorCodeReturnedEquals');
  if (prefix) parts.push(`key starts with “${prefix}”`);
  if (suffix) parts.push(`key ends with “${suffix}”`);
  if (code) parts.push(`status would be ${code}`);
  for (const h of kids(cond, 'IncludeHeader')) {
    const name = kidText(h, 'Key');
    const test = kidText(h, 'Equals') ? `= “${kidText(h, 'Equals')}”`
      : kidText(h, 'StartsWith') ? `starts with “${kidText(h, 'StartsWith')}”`
        : kidText(h, 'EndsWith') ? `ends with “${kidText(h, 'EndsWith')}”` : 'present';
    parts.push(`header ${name} ${test}`);
  }
  return parts.length ? parts.join(' and ') : 'every request';
}

/** A rule's action in words. */
function describeAction(redirect) {
  if (!redirect) return 'none';
  const type = kidText(redirect, 'RedirectType') || 'External';
  const key = kidText(redirect, 'ReplaceKeyWith')
    ? `key “${kidText(redirect, 'ReplaceKeyWith')}”`
    : kidText(redirect, 'ReplaceKeyPrefixWith') ? `prefix replaced by “${kidText(redirect, 'ReplaceKeyPrefixWith')}”` : 'same key';
  if (type === 'Mirror') {
    const slave = kidText(redirect, 'MirrorURLSlave');
    let s = `Mirror from ${kidText(redirect, 'MirrorURL')}`;
    if (slave) s += ` (secondary ${slave})`;
    if (kidText(redirect, 'MirrorPassQueryString') === 'true') s += ', query passed';
    if (kidText(redirect, 'MirrorFollowRedirect') === 'false') s += ', origin redirects passed on';
    return s;
  }
  if (type === 'Internal') return `Internal: serve ${key}`;
  const code = kidText(redirect, 'HttpRedirectCode') || '301';
  const proto = kidText(redirect, 'Protocol') || 'same protocol';
  const host = kidText(redirect, 'HostName') || 'same host';
  return `${type} ${code} to ${proto}://${host}, ${key}`;
}

function renderWebsite(doc) {
  const docs = clear($('website-docs').tBodies[0]);
  const rules = clear($('website-rules').tBodies[0]);
  if (!doc) {
    docs.append(el('tr', {}, el('td', { class: 'hint', text: 'No website configuration.' })));
    rules.append(el('tr', {}, el('td', { colspan: 4, class: 'hint', text: 'No routing rules.' })));
    return;
  }
  const root = doc.documentElement;
  const index = kid(root, 'IndexDocument');
  const error = kid(root, 'ErrorDocument');
  docs.append(el('tr', {}, el('td', { text: 'Index document' }), el('td', { text: index ? kidText(index, 'Suffix') || '—' : '—' })));
  docs.append(el('tr', {}, el('td', { text: 'Error document' }), el('td', { text: error ? kidText(error, 'Key') || '—' : '—' })));
  const list = kids(kid(root, 'RoutingRules'), 'RoutingRule');
  if (!list.length) rules.append(el('tr', {}, el('td', { colspan: 4, class: 'hint', text: 'No routing rules.' })));
  for (const r of list) {
    const n = kidText(r, 'RuleNumber');
    rules.append(el('tr', { class: 'rule-row', 'data-rule': n },
      el('td', { text: n }),
      el('td', { class: 'condition', text: describeCondition(kid(r, 'Condition')) }),
      el('td', { class: 'arrow', text: '→' }),
      el('td', { class: 'action', text: describeAction(kid(r, 'Redirect')) })));
  }
}

async function loadWebsite() {
  showError('website-error', null);
  $('website-warning').hidden = true;
  $('website-status').textContent = '';
  try {
    const r = await call('GET', apiPath(view.bucket, '', { website: null }));
    const doc = parseXml(r.text);
    renderWebsite(doc);
    $('website-xml').value = doc ? prettyXml(doc.documentElement) : r.text;
  } catch (e) {
    if (e.code === 'NoSuchWebsiteConfiguration') {
      renderWebsite(null);
      $('website-xml').value = WEBSITE_TEMPLATE;
    } else {
      showError('website-error', e);
    }
  }
}

async function saveWebsite() {
  showError('website-error', null);
  $('website-status').textContent = '';
  const xml = $('website-xml').value;
  let warning = null;
  try {
    const r = await call('PUT', apiPath(view.bucket, '', { website: null }), { body: xml, headers: { 'content-type': 'application/xml' } });
    // Accepted, but a redirect here may be redirected again (a loop through custom domains).
    warning = r.headers.get('x-ossemu-warning');
  } catch (e) {
    showError('website-error', e);
    return;
  }
  await loadWebsite();
  $('website-warning').textContent = warning ? 'Warning: ' + warning.split('; ').join('\nWarning: ') : '';
  $('website-warning').hidden = !warning;
  flash('website-status', 'Saved.');
}

async function deleteWebsite() {
  if (!confirm('Delete the website configuration?')) return;
  try { await call('DELETE', apiPath(view.bucket, '', { website: null })); } catch (e) { showError('website-error', e); return; }
  loadWebsite();
}

// ---------------------------------------------------------------- custom domains

async function loadDomains() {
  showError('domains-error', null);
  const body = clear($('domain-list').tBodies[0]);
  let doc;
  try { doc = parseXml((await call('GET', apiPath(view.bucket, '', { cname: null }))).text); } catch (e) { showError('domains-error', e); return; }
  const list = kids(doc.documentElement, 'Cname');
  if (!list.length) body.append(el('tr', {}, el('td', { colspan: 4, class: 'hint', text: 'No custom domains. A bound domain serves this bucket’s website: rules apply to its requests.' })));
  for (const c of list) {
    const d = kidText(c, 'Domain');
    body.append(el('tr', { 'data-domain': d },
      el('td', { class: 'mono', text: d }), el('td', { text: kidText(c, 'Status') }),
      el('td', { text: formatDate(kidText(c, 'LastModified')) }),
      el('td', {}, el('button', { class: 'danger', text: 'Unbind', onclick: () => domainChange('delete', d) }))));
  }
}

async function domainChange(comp, domain) {
  showError('domains-error', null);
  const xml = XML_DECL + `<BucketCnameConfiguration><Cname><Domain>${escapeXml(domain)}</Domain></Cname></BucketCnameConfiguration>`;
  try {
    await call('POST', apiPath(view.bucket, '', { cname: null, comp }), { body: xml, headers: { 'content-type': 'application/xml' } });
  } catch (e) { showError('domains-error', e); return; }
  loadDomains();
}

// ---------------------------------------------------------------- ACL and versioning

async function loadSettings() {
  showError('settings-error', null);
  try {
    $('bucket-acl').value = await bucketAcl(view.bucket);
    $('versioning-status').textContent = await versioningStatus(view.bucket);
  } catch (e) { showError('settings-error', e); }
}

async function saveAcl(e) {
  e.preventDefault();
  showError('settings-error', null);
  try {
    await call('PUT', apiPath(view.bucket, '', { acl: null }), { headers: { 'x-oss-acl': $('bucket-acl').value } });
    flash('acl-status', 'Saved.');
  } catch (err) { showError('settings-error', err); }
}

async function setVersioning(status) {
  showError('settings-error', null);
  const xml = XML_DECL + `<VersioningConfiguration><Status>${status}</Status></VersioningConfiguration>`;
  try {
    await call('PUT', apiPath(view.bucket, '', { versioning: null }), { body: xml, headers: { 'content-type': 'application/xml' } });
  } catch (e) { showError('settings-error', e); return; }
  loadSettings();
}

// ---------------------------------------------------------------- request trail

function startTrail() {
  if (trailSource) return;
  const state = $('trail-state');
  trailSource = new EventSource(BASE + '/events');
  trailSource.addEventListener('open', () => { state.textContent = 'live'; state.className = 'pill live'; });
  trailSource.addEventListener('error', () => { state.textContent = 'reconnecting…'; state.className = 'pill down'; });
  trailSource.addEventListener('lagged', (m) => {
    const n = JSON.parse(m.data).missed;
    addTrailEvent({ lagged: n });
  });
  trailSource.addEventListener('message', (m) => addTrailEvent(JSON.parse(m.data)));
}

function addTrailEvent(e) {
  trail.events.push(e);
  if (trail.events.length > TRAIL_MAX) trail.events.shift();
  trail.received++;
  $('trail-count').textContent = String(trail.received);
  if (!trail.paused && passes(e)) {
    const body = $('trail-table').tBodies[0];
    for (const row of trailRows(e).reverse()) body.prepend(row);
    while (body.rows.length > 2 * TRAIL_MAX) body.deleteRow(-1);
    $('trail-empty').hidden = true;
  }
}

function passes(e) {
  if (e.lagged) return true;
  const bucket = $('trail-bucket').value.trim();
  const status = $('trail-status').value;
  if (bucket && e.bucket !== bucket) return false;
  if ($('trail-origin-only').checked && !(e.rule || e.mirror || e.location)) return false;
  if (!status) return true;
  if (status === 'error') return e.status >= 400;
  return Math.floor(e.status / 100) === Number(status[0]);
}

function renderTrail() {
  const body = clear($('trail-table').tBodies[0]);
  const shown = trail.events.filter(passes);
  for (const e of shown.slice().reverse()) body.append(...trailRows(e));
  $('trail-empty').hidden = shown.length > 0;
}

function timeOf(iso) {
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toTimeString().slice(0, 8) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}

/** The row of one event, and a second row of back-to-origin facts when it has any. */
function trailRows(e) {
  if (e.lagged) {
    return [el('tr', { class: 'lagged' }, el('td', { colspan: 8, class: 'hint', text: `${e.lagged} requests were missed (the console fell behind).` }))];
  }
  const bytes = e.bytes_in ? `↑${formatBytes(e.bytes_in)} ↓${formatBytes(e.bytes_out)}` : formatBytes(e.bytes_out);
  const row = el('tr', { class: 'trail-row', 'data-id': e.id, 'data-op': e.operation, 'data-status': String(e.status), 'data-bucket': e.bucket, 'data-key': e.key },
    el('td', { class: 'mono', text: timeOf(e.time) }),
    el('td', { text: e.dialect.toUpperCase() }),
    el('td', {}, e.operation, e.rule ? el('span', { class: 'rule-tag', text: ` rule ${e.rule.number}` }) : null),
    el('td', { text: e.bucket }),
    el('td', { class: 'key', text: e.key }),
    el('td', { class: `status-${String(e.status)[0]}`, text: String(e.status) }),
    el('td', { class: 'num', text: bytes }),
    el('td', { class: 'num', text: e.duration_ms.toFixed(1) }));
  if (!e.rule && !e.mirror && !e.location) return [row];
  const fact = (cls, label, value) => el('span', { class: cls }, el('b', { text: label }), value);
  const facts = el('div', { class: 'origin-facts' });
  if (e.rule) {
    facts.append(fact('fact-rule', 'rule', `#${e.rule.number}`), fact('fact-why', 'matched because', e.rule.why));
    if (e.rule.action) facts.append(fact('fact-action', 'action', e.rule.action));
  }
  if (e.location) facts.append(fact('fact-location', 'Location', e.location));
  if (e.mirror) {
    const m = e.mirror;
    facts.append(fact('fact-origin', 'origin', m.origin_url),
      fact('fact-origin-status', 'origin status', m.origin_status ? String(m.origin_status) : 'not reached'),
      fact('fact-bytes', 'fetched', formatBytes(m.bytes_fetched)),
      fact('fact-clients', 'clients on the fetch', String(m.clients)),
      fact('fact-outcome', 'outcome', m.outcome));
  }
  return [row, el('tr', { class: 'origin-detail', 'data-id': e.id }, el('td', { colspan: 8 }, facts))];
}

// ---------------------------------------------------------------- explain

/** Asks POST /_ossemu/explain what the request in the form would get, and shows why. */
async function explainRequest(e) {
  e.preventDefault();
  showError('explain-error', null);
  const headers = [];
  for (const line of $('explain-headers').value.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers.push([line.slice(0, i).trim(), line.slice(i + 1).trim()]);
  }
  const question = { method: $('explain-method').value, host: $('explain-host').value || location.host, path: $('explain-path').value, headers };
  const r = await fetch('/_ossemu/explain', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(question), cache: 'no-store' });
  const answer = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
  if (!r.ok) { $('explain-result').hidden = true; showError('explain-error', new Error(answer.error || `HTTP ${r.status}`)); return; }
  renderExplain(answer);
}

function describeOutcome(a) {
  const parts = [a.kind];
  if (a.status) parts.push(String(a.status));
  if (a.code) parts.push(a.code);
  if (a.serves) parts.push('serves ' + a.serves);
  if (a.location) parts.push('Location ' + a.location);
  if (a.origin_url) parts.push('from ' + a.origin_url);
  if (a.rule) parts.push('(rule ' + a.rule + ')');
  let text = parts.join(' · ');
  if (a.message) text += ' — ' + a.message;
  if (a.if_origin_404) text += '\nIf the origin has nothing: ' + describeOutcome(a.if_origin_404);
  return text;
}

function renderExplain(x) {
  $('explain-result').hidden = false;
  $('explain-action').textContent = describeOutcome(x.action);
  const facts = clear($('explain-facts').tBodies[0]);
  const shown = [['Addressing', x.addressing], ['Dialect', x.dialect], ['Bucket', x.bucket], ['Key', x.key],
    ['Operation', x.operation], ['Requester', x.requester], ['Bucket exists', x.bucket_exists],
    ['Object exists', x.object_exists], ['Readable', x.readable], ['Why not readable', x.read_denied]];
  for (const [k, v] of shown) {
    if (v === null || v === undefined) continue;
    facts.append(el('tr', {}, el('th', { text: k }), el('td', { text: String(v) })));
  }
  const rules = clear($('explain-rules').tBodies[0]);
  for (const r of x.rules) {
    const why = r.why_not.concat(r.note ? [r.note] : []).join('; ');
    rules.append(el('tr', { class: r.chosen ? 'chosen' : null, 'data-rule': r.rule },
      el('td', { text: r.rule }), el('td', { text: r.kind }),
      el('td', { text: r.chosen ? 'yes, chosen' : r.matched ? 'yes' : 'no' }), el('td', { text: why })));
  }
  if (!x.rules.length) rules.append(el('tr', {}, el('td', { colspan: 4, class: 'hint', text: 'No routing rules were looked at.' })));
  const warnings = clear($('explain-warnings'));
  for (const w of x.warnings) warnings.append(el('li', { text: w }));
}

// ---------------------------------------------------------------- wiring

function wire() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('tab-buckets').addEventListener('click', () => go('#/buckets'));
  $('tab-trail').addEventListener('click', () => go('#/trail'));
  $('tab-explain').addEventListener('click', () => go('#/explain'));
  $('explain-form').addEventListener('submit', explainRequest);
  $('back-to-buckets').addEventListener('click', (e) => { e.preventDefault(); go('#/buckets'); });
  for (const b of document.querySelectorAll('.subtab')) {
    b.addEventListener('click', () => go(bucketHash(view.bucket, b.dataset.sub, b.dataset.sub === 'objects' ? view.prefix : '')));
  }
  $('create-bucket-form').addEventListener('submit', createBucket);
  $('prefix-form').addEventListener('submit', (e) => {
    e.preventDefault();
    view.delimiter = $('delimiter-toggle').checked;
    view.tokens = ['']; view.page = 0;
    const p = $('prefix-input').value;
    if (p === view.prefix) loadObjects(); else go(bucketHash(view.bucket, 'objects', p));
  });
  $('next-page').addEventListener('click', () => { view.page++; loadObjects(); });
  $('first-page').addEventListener('click', () => { view.page = 0; loadObjects(); });
  $('close-details').addEventListener('click', closeDetails);
  $('delete-object').addEventListener('click', deleteObject);
  $('tag-form').addEventListener('submit', addTag);
  $('save-website').addEventListener('click', saveWebsite);
  $('reload-website').addEventListener('click', loadWebsite);
  $('delete-website').addEventListener('click', deleteWebsite);
  $('domain-form').addEventListener('submit', (e) => { e.preventDefault(); domainChange('add', $('new-domain').value.trim()); $('new-domain').value = ''; });
  $('acl-form').addEventListener('submit', saveAcl);
  $('enable-versioning').addEventListener('click', () => setVersioning('Enabled'));
  $('suspend-versioning').addEventListener('click', () => setVersioning('Suspended'));
  for (const id of ['trail-bucket', 'trail-status', 'trail-origin-only']) {
    for (const t of ['input', 'change']) $(id).addEventListener(t, renderTrail);
  }
  $('trail-pause').addEventListener('click', () => {
    trail.paused = !trail.paused;
    $('trail-pause').textContent = trail.paused ? 'Resume' : 'Pause';
    if (!trail.paused) renderTrail();
  });
  $('trail-clear').addEventListener('click', () => { trail.events = []; renderTrail(); });
  setUpDropZone();
  window.addEventListener('hashchange', route);
}

async function start() {
  wire();
  const r = await fetch(BASE + '/session', { credentials: 'same-origin', cache: 'no-store' });
  if (r.ok) enter(await r.json()); else showLogin();
}

document.addEventListener('DOMContentLoaded', start);
