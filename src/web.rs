//! The map page and its vendored libraries, built into the binary from `web/`.
//!
//! Lookups go by exact key into the embedded table, never to the file system, and any path with
//! a `..`, backslash or empty segment is refused first, so no request can reach outside `web/`.
//! This module knows files, not HTTP: `api::pages` turns an [`Asset`] into a response.

use rust_embed::Embed;
use std::borrow::Cow;

#[derive(Embed)]
#[folder = "web/"]
#[exclude = "node_modules/*"]
struct Assets;

/// One embedded file and how it may be cached.
#[derive(Debug)]
pub struct Asset {
    /// The bytes.
    pub data: Cow<'static, [u8]>,
    /// Media type, from the file name.
    pub mime: String,
    /// `Cache-Control`: vendored files are pinned by version, so they may be cached for long; the page itself not.
    pub cache: &'static str,
    /// A strong entity tag from the content hash.
    pub etag: String,
}

/// The file for a URL path (`/` is `index.html`); `None` when there is none or the path is unsafe.
pub fn asset(url_path: &str) -> Option<Asset> {
    let path = url_path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let decoded = percent_decode(path)?;
    if decoded.split('/').any(|seg| seg.is_empty() || seg == ".." || seg == ".") || decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let file = Assets::get(&decoded)?;
    let mime = mime_guess::from_path(&decoded).first_or_octet_stream().to_string();
    let cache = if decoded.starts_with("vendor/") { "public, max-age=86400" } else { "no-cache" };
    let etag = format!("\"{}\"", hex(&file.metadata.sha256_hash()[..12]));
    Some(Asset { data: file.data, mime, cache, etag })
}

/// `'sha256-…'` sources for each inline `<script>` (one without `src`) of an HTML page, so that
/// a Content-Security-Policy can allow exactly those (the editor's import map) and no other.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(tag_end) = after.find('>') else { break };
        let tag = &after[..tag_end];
        let body = &after[tag_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        if !tag.contains("src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            out.push(format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest)));
        }
        rest = &body[close..];
    }
    out
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> = form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes()).next().map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::Assets;
    use std::collections::BTreeSet;

    fn text(name: &str) -> String {
        String::from_utf8(Assets::get(name).unwrap_or_else(|| panic!("{name} is not embedded")).data.into_owned()).unwrap()
    }

    /// Values of `attr="…"` in every tag starting with `tag_start` (`<link rel="modulepreload"`).
    fn attrs(html: &str, tag_start: &str, attr: &str) -> Vec<String> {
        html.match_indices(tag_start)
            .filter_map(|(i, _)| {
                let tag = &html[i..i + html[i..].find('>')?];
                let at = tag.find(&format!("{attr}=\""))? + attr.len() + 2;
                Some(tag[at..at + tag[at..].find('"')?].to_owned())
            })
            .collect()
    }

    /// The page's own modules a module imports, statically (`from './x.js'`, `import './x.js'`).
    fn imports(js: &str) -> Vec<String> {
        ["from '", "from \"", "import '", "import \""]
            .iter()
            .flat_map(|p| js.match_indices(p).map(move |(i, _)| &js[i + p.len()..]))
            .filter_map(|rest| rest.strip_prefix("./").and_then(|r| r.find(['\'', '"']).map(|end| r[..end].to_owned())))
            .collect()
    }

    /// A page that preloads its modules preloads exactly the ones its entry module pulls in: one
    /// missing costs a round trip per import level on start-up, one left over downloads for nothing.
    #[test]
    fn modulepreload_lists_match_the_import_graph() {
        let mut checked = 0;
        for page in Assets::iter().filter(|p| p.ends_with(".html")) {
            let html = text(&page);
            let preloaded: BTreeSet<String> = attrs(&html, "<link rel=\"modulepreload\"", "href").into_iter().collect();
            if preloaded.is_empty() {
                continue;
            }
            let entries = attrs(&html, "<script type=\"module\"", "src");
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut todo = entries.clone();
            while let Some(m) = todo.pop() {
                if seen.insert(m.clone()) {
                    todo.extend(imports(&text(&m)));
                }
            }
            for e in &entries {
                seen.remove(e);
            }
            assert_eq!(preloaded, seen, "{page}: <link rel=\"modulepreload\"> list ≠ the modules its scripts import");
            checked += 1;
        }
        assert!(checked >= 1, "index.html preloads its modules");
    }
}
