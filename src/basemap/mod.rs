//! Configured basemaps (issue 15): imagery and vector tiles the office already has — 天地图
//! WMTS, an intranet XYZ/TMS service, a TileJSON, or a PMTiles/MBTiles file next to the binary —
//! drawn under the projects instead of the offline outline.
//!
//! The configuration is a TOML file, one `[[basemap]]` table per source, parsed here into types
//! that are valid by construction ([`Basemaps::parse`]); a bad entry stops the start with a
//! message naming the entry and the field. Keys are written as `${ENV}` in the file and
//! substituted here, on the server: the browser only ever sees `/basemap/{name}/{z}/{x}/{y}`
//! (see [`serve`]), never an upstream URL.
//!
//! Offsets are never silent: tiles in GCJ-02 (Amap, Tencent) or BD-09 (Baidu) are ~500 m off
//! WGS84 data, so such an entry is refused unless it says `offset_ack = true`, and then the page
//! shows a warning whenever it is on. 天地图 (CGCS2000) is taken as WGS84: the two differ by
//! centimetres.

pub mod serve;

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Highest zoom accepted in a configuration (no tile service goes deeper).
pub const MAX_ZOOM: u8 = 24;

/// A basemap's name: the `{name}` of `/basemap/{name}/…`, a lower-case slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// 1–40 characters of `a-z`, `0-9` and `-`, starting with a letter or digit.
    pub fn parse(text: &str) -> Result<Name, String> {
        let ok =
            !text.is_empty() && text.len() <= 40 && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') && !text.starts_with('-');
        if ok {
            Ok(Name(text.to_owned()))
        } else {
            Err(format!("`{text}` is not a name: use 1–40 characters of a-z, 0-9 and -, such as `imagery`"))
        }
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The coordinate system the tiles are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// WGS84, and CGCS2000 (天地图), which is within centimetres of it.
    Wgs84,
    /// GCJ-02 (Amap, Tencent): ~500 m off WGS84 around Dongtou.
    Gcj02,
    /// BD-09 (Baidu): GCJ-02 plus a further offset.
    Bd09,
}

impl Crs {
    fn parse(text: &str) -> Result<Crs, String> {
        match text.to_ascii_lowercase().as_str() {
            "wgs84" | "cgcs2000" | "epsg:4326" | "epsg:4490" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            _ => Err(format!("`{text}` is not known; use wgs84 (also for 天地图/CGCS2000), gcj02 or bd09")),
        }
    }

    /// As written in the configuration and in `/basemaps.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Crs::Wgs84 => "wgs84",
            Crs::Gcj02 => "gcj02",
            Crs::Bd09 => "bd09",
        }
    }
}

/// The tiles' encoding, which decides raster (imagery) or vector drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TileFormat {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// WebP image.
    Webp,
    /// Mapbox vector tile (protobuf).
    Mvt,
}

impl TileFormat {
    fn parse(text: &str) -> Result<TileFormat, String> {
        match text.to_ascii_lowercase().as_str() {
            "png" => Ok(TileFormat::Png),
            "jpg" | "jpeg" => Ok(TileFormat::Jpeg),
            "webp" => Ok(TileFormat::Webp),
            "pbf" | "mvt" => Ok(TileFormat::Mvt),
            _ => Err(format!("`{text}` is not known; use png, jpg, webp or pbf")),
        }
    }

    /// The media type of a tile.
    pub fn media_type(self) -> &'static str {
        match self {
            TileFormat::Png => "image/png",
            TileFormat::Jpeg => "image/jpeg",
            TileFormat::Webp => "image/webp",
            TileFormat::Mvt => "application/vnd.mapbox-vector-tile",
        }
    }

    /// Vector tiles need a style; images are drawn as they are.
    pub fn is_vector(self) -> bool {
        self == TileFormat::Mvt
    }
}

/// Row numbering of an XYZ-style template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// Row 0 at the top (XYZ, WMTS).
    FromTop,
    /// Row 0 at the bottom (TMS): the proxy flips `y`.
    FromBottom,
}

/// An upstream tile URL with `{z}`, `{x}`, `{y}` (WMTS: `{TileMatrix}`, `{TileCol}`,
/// `{TileRow}`) and optionally `{s}` for one of `subdomains`. Holds substituted keys, so its
/// `Debug` shows only the host.
#[derive(Clone)]
pub struct UrlTemplate {
    text: String,
    subdomains: Vec<String>,
    rows: Rows,
}

impl fmt::Debug for UrlTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = reqwest::Url::parse(&self.sample()).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
        write!(f, "UrlTemplate({host}/…)")
    }
}

impl UrlTemplate {
    fn parse(text: &str, subdomains: Vec<String>, rows: Rows) -> Result<UrlTemplate, String> {
        // WMTS REST templates name the placeholders after the standard; one spelling from here on.
        let text = text.replace("{TileMatrix}", "{z}").replace("{TileCol}", "{x}").replace("{TileRow}", "{y}");
        for p in ["{z}", "{x}", "{y}"] {
            if !text.contains(p) {
                return Err(format!("has no {p}; a template needs {{z}}, {{x}} and {{y}} (for WMTS, e.g. TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}})"));
            }
        }
        if text.contains("{s}") && subdomains.is_empty() {
            return Err("has {s} but no `subdomains` list to fill it".into());
        }
        let t = UrlTemplate { text, subdomains, rows };
        let url = reqwest::Url::parse(&t.sample()).map_err(|e| format!("is not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("must be http or https, not `{}`", url.scheme()));
        }
        Ok(t)
    }

    fn sample(&self) -> String {
        self.fill(0, 0, 0)
    }

    /// The upstream URL of tile z/x/y (XYZ numbering; TMS templates get the row flipped).
    pub fn fill(&self, z: u8, x: u32, y: u32) -> String {
        let y = match self.rows {
            Rows::FromTop => y,
            Rows::FromBottom => ((1u64 << z) - 1 - u64::from(y)) as u32,
        };
        let mut s = self.text.replace("{z}", &z.to_string()).replace("{x}", &x.to_string()).replace("{y}", &y.to_string());
        if !self.subdomains.is_empty() {
            let i = (x as usize + y as usize) % self.subdomains.len();
            s = s.replace("{s}", &self.subdomains[i]);
        }
        s
    }
}

/// Where a basemap's tiles come from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// An XYZ, TMS or WMTS (KVP or REST) service, fetched by the proxy.
    Template(UrlTemplate),
    /// A TileJSON document whose first tile URL is fetched by the proxy.
    TileJson(String),
    /// A PMTiles archive on this machine.
    Pmtiles(PathBuf),
    /// An MBTiles (SQLite) file on this machine.
    Mbtiles(PathBuf),
}

/// One configured basemap, valid by construction.
#[derive(Debug, Clone)]
pub struct Basemap {
    name: Name,
    title: Option<String>,
    origin: Origin,
    crs: Crs,
    attribution: String,
    minzoom: Option<u8>,
    maxzoom: Option<u8>,
    format: Option<TileFormat>,
    tile_size: u16,
    headers: Headers,
}

/// Extra upstream request headers. `Debug` shows their names only: values may hold keys.
#[derive(Clone)]
struct Headers(Vec<(String, String)>);

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter().map(|(k, _)| k)).finish()
    }
}

impl Basemap {
    /// The name in `/basemap/{name}/…`.
    pub fn name(&self) -> &Name {
        &self.name
    }
    /// What the switcher shows (the name when not given).
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(self.name.as_ref())
    }
    /// Where the tiles come from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
    /// The tiles' coordinate system; anything but WGS84 was acknowledged with `offset_ack`.
    pub fn crs(&self) -> Crs {
        self.crs
    }
    /// The credit shown on the map and in prints.
    pub fn attribution(&self) -> &str {
        &self.attribution
    }
    /// Zoom range given in the file, if any (files and TileJSON carry their own).
    pub fn zooms(&self) -> (Option<u8>, Option<u8>) {
        (self.minzoom, self.maxzoom)
    }
    /// Tile encoding given in the file, if any.
    pub fn format(&self) -> Option<TileFormat> {
        self.format
    }
    /// Pixel size of a raster tile (256 or 512).
    pub fn tile_size(&self) -> u16 {
        self.tile_size
    }
    /// Extra request headers for the upstream (e.g. a `Referer` a key is bound to).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers.0
    }
}

/// Every configured basemap, in file order (the first is the default). Empty: the offline
/// outline only, as without a configuration.
#[derive(Debug, Clone, Default)]
pub struct Basemaps(Vec<Basemap>);

/// Why a configuration was refused; the text names the file, the entry and the field.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("cannot read the basemap configuration {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not TOML, or not the expected shape.
    #[error("the basemap configuration is not valid: {0}")]
    Syntax(String),
    /// One entry breaks a rule.
    #[error("basemap {entry}: `{field}` {reason}")]
    Entry {
        /// `#2 "imagery"`: position (1-based) and name when there is one.
        entry: String,
        /// The field.
        field: &'static str,
        /// The rule, as a sentence a user can act on.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    basemap: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    url: Option<String>,
    path: Option<String>,
    crs: Option<String>,
    offset_ack: Option<bool>,
    attribution: Option<String>,
    minzoom: Option<i64>,
    maxzoom: Option<i64>,
    format: Option<String>,
    tile_size: Option<i64>,
    #[serde(default)]
    subdomains: Vec<String>,
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
}

/// Replaces every `${NAME}` by the variable's value, so keys stay out of the file.
fn substitute(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| "has `${` without a closing `}`".to_owned())?;
        let var = &after[..end];
        if var.is_empty() || !var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("has `${{{var}}}`, which is not an environment variable name"));
        }
        let value = env(var).filter(|v| !v.is_empty()).ok_or_else(|| format!("needs the environment variable {var}, which is not set"))?;
        out.push_str(&value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn zoom(v: Option<i64>, field: &'static str) -> Result<Option<u8>, (&'static str, String)> {
    match v {
        None => Ok(None),
        Some(z) if (0..=i64::from(MAX_ZOOM)).contains(&z) => Ok(Some(z as u8)),
        Some(z) => Err((field, format!("is {z}; a zoom is 0–{MAX_ZOOM}"))),
    }
}

impl Basemaps {
    /// None configured.
    pub fn none() -> Basemaps {
        Basemaps(Vec::new())
    }

    /// Reads and checks a configuration file; `env` looks up `${NAME}` values. Relative `path`s
    /// are taken from the file's folder.
    pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Basemaps, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Basemaps::parse(&text, dir, env)
    }

    /// Checks a configuration's text; relative `path`s are resolved against `dir`.
    pub fn parse(text: &str, dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Basemaps, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let mut out: Vec<Basemap> = Vec::new();
        for (i, e) in raw.basemap.into_iter().enumerate() {
            let entry = match &e.name {
                Some(n) => format!("#{} \"{n}\"", i + 1),
                None => format!("#{}", i + 1),
            };
            let b = Basemap::from_raw(e, dir, env).map_err(|(field, reason)| ConfigError::Entry { entry: entry.clone(), field, reason })?;
            if out.iter().any(|o| o.name == b.name) {
                return Err(ConfigError::Entry { entry, field: "name", reason: "is used by an earlier entry; names must differ".into() });
            }
            out.push(b);
        }
        Ok(Basemaps(out))
    }

    /// In file order.
    pub fn iter(&self) -> impl Iterator<Item = &Basemap> {
        self.0.iter()
    }

    /// Whether none is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Basemap {
    fn from_raw(e: RawEntry, dir: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Basemap, (&'static str, String)> {
        let name = Name::parse(e.name.as_deref().ok_or(("name", "is required".to_owned()))?).map_err(|r| ("name", r))?;
        let kind = e.kind.as_deref().ok_or(("kind", "is required: xyz, tms, wmts, tilejson, pmtiles or mbtiles".to_owned()))?;
        let url = || -> Result<String, (&'static str, String)> {
            let u = e.url.as_deref().ok_or(("url", format!("is required for kind {kind}")))?;
            substitute(u, env).map_err(|r| ("url", r))
        };
        let file = || -> Result<PathBuf, (&'static str, String)> {
            let p = e.path.as_deref().ok_or(("path", format!("is required for kind {kind}")))?;
            let p = PathBuf::from(substitute(p, env).map_err(|r| ("path", r))?);
            let p = if p.is_absolute() { p } else { dir.join(p) };
            if !p.is_file() {
                return Err(("path", format!("{} is not a readable file", p.display())));
            }
            Ok(p)
        };
        if !matches!(kind, "xyz" | "tms" | "wmts" | "tilejson" | "pmtiles" | "mbtiles") {
            return Err(("kind", format!("is `{kind}`; use xyz, tms, wmts, tilejson, pmtiles or mbtiles")));
        }
        let remote = matches!(kind, "xyz" | "tms" | "wmts" | "tilejson");
        if remote && e.path.is_some() {
            return Err(("path", format!("is for pmtiles and mbtiles; kind {kind} takes a `url`")));
        }
        if !remote && e.url.is_some() {
            return Err(("url", format!("is for remote kinds; kind {kind} takes a `path`")));
        }
        if !matches!(kind, "xyz" | "tms" | "wmts") && !e.subdomains.is_empty() {
            return Err(("subdomains", format!("only applies to url templates (xyz, tms, wmts), not to {kind}")));
        }
        let origin = match kind {
            "xyz" | "wmts" => Origin::Template(UrlTemplate::parse(&url()?, e.subdomains.clone(), Rows::FromTop).map_err(|r| ("url", r))?),
            "tms" => Origin::Template(UrlTemplate::parse(&url()?, e.subdomains.clone(), Rows::FromBottom).map_err(|r| ("url", r))?),
            "tilejson" => {
                let u = url()?;
                let parsed = reqwest::Url::parse(&u).map_err(|err| ("url", format!("is not a URL ({err})")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(("url", format!("must be http or https, not `{}`", parsed.scheme())));
                }
                Origin::TileJson(u)
            }
            "pmtiles" => Origin::Pmtiles(file()?),
            // Checked above: the only kind left.
            _ => Origin::Mbtiles(file()?),
        };
        let crs = Crs::parse(e.crs.as_deref().unwrap_or("wgs84")).map_err(|r| ("crs", r))?;
        if crs != Crs::Wgs84 && e.offset_ack != Some(true) {
            return Err((
                "crs",
                format!(
                    "is {}: such tiles lie about 500 m off the projects' WGS84 positions. Use a WGS84/CGCS2000 source such as 天地图, \
                     or set `offset_ack = true` to use it anyway with a warning on the page",
                    crs.as_str()
                ),
            ));
        }
        let minzoom = zoom(e.minzoom, "minzoom")?;
        let maxzoom = zoom(e.maxzoom, "maxzoom")?;
        if let (Some(lo), Some(hi)) = (minzoom, maxzoom) {
            if lo > hi {
                return Err(("minzoom", format!("is {lo}, above maxzoom {hi}")));
            }
        }
        let format = e.format.as_deref().map(TileFormat::parse).transpose().map_err(|r| ("format", r))?;
        let tile_size = match e.tile_size {
            None => 256,
            Some(s @ (256 | 512)) => s as u16,
            Some(s) => return Err(("tile_size", format!("is {s}; use 256 or 512"))),
        };
        let attribution = e.attribution.unwrap_or_default().trim().to_owned();
        // A TileJSON or a file may carry its own credit; a bare URL template cannot.
        if matches!(origin, Origin::Template(_)) && attribution.is_empty() {
            return Err(("attribution", "is required for a url template: the map and prints must credit the source (e.g. \"天地图\")".into()));
        }
        let mut headers = Vec::new();
        for (k, v) in e.headers {
            if axum::http::HeaderName::from_bytes(k.as_bytes()).is_err() {
                return Err(("headers", format!("`{k}` is not a header name")));
            }
            let v = substitute(&v, env).map_err(|r| ("headers", r))?;
            if axum::http::HeaderValue::from_str(&v).is_err() {
                return Err(("headers", format!("the value of `{k}` is not a valid header value")));
            }
            headers.push((k, v));
        }
        let title = e.title.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        Ok(Basemap { name, title, origin, crs, attribution, minzoom, maxzoom, format, tile_size, headers: Headers(headers) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(k: &str) -> Option<String> {
        (k == "TIANDITU_KEY").then(|| "secret-key".to_owned())
    }

    fn parse(text: &str) -> Result<Basemaps, ConfigError> {
        Basemaps::parse(text, Path::new("."), &env)
    }

    const WMTS: &str = r#"
[[basemap]]
name = "imagery"
kind = "wmts"
url = "https://t{s}.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=img&TILEMATRIXSET=w&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${TIANDITU_KEY}"
subdomains = ["0", "1"]
attribution = "天地图"
maxzoom = 18
"#;

    #[test]
    fn a_wmts_entry_gets_its_key_from_the_environment_and_fills_the_tile_matrix() {
        let b = parse(WMTS).unwrap();
        let m = b.iter().next().unwrap();
        let Origin::Template(t) = m.origin() else { panic!("a template") };
        assert_eq!(
            t.fill(12, 3418, 1712),
            "https://t0.tianditu.gov.cn/img_w/wmts?SERVICE=WMTS&REQUEST=GetTile&LAYER=img&TILEMATRIXSET=w&TILEMATRIX=12&TILEROW=1712&TILECOL=3418&tk=secret-key"
        );
        assert!(!format!("{t:?}").contains("secret-key"), "Debug must not show the key");
    }

    #[test]
    fn a_missing_key_variable_names_the_entry_field_and_variable() {
        let e = parse(&WMTS.replace("TIANDITU_KEY", "OTHER_KEY")).unwrap_err().to_string();
        assert!(e.contains("#1 \"imagery\"") && e.contains("`url`") && e.contains("OTHER_KEY"), "{e}");
    }

    #[test]
    fn header_values_stay_out_of_debug() {
        let b = parse("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'\nheaders = { Referer = 'http://site/${TIANDITU_KEY}' }")
            .unwrap();
        let m = b.iter().next().unwrap();
        assert_eq!(m.headers(), [("Referer".to_owned(), "http://site/secret-key".to_owned())]);
        assert!(!format!("{b:?}").contains("secret-key"), "{b:?}");
    }

    #[test]
    fn tms_rows_are_flipped() {
        let b = parse("[[basemap]]\nname='a'\nkind='tms'\nurl='http://h/{z}/{x}/{y}.png'\nattribution='x'").unwrap();
        let Origin::Template(t) = b.iter().next().unwrap().origin() else { panic!() };
        assert_eq!(t.fill(3, 1, 0), "http://h/3/1/7.png");
    }

    #[test]
    fn wmts_rest_placeholders_are_accepted() {
        let b = parse("[[basemap]]\nname='a'\nkind='wmts'\nurl='http://h/img/{TileMatrix}/{TileRow}/{TileCol}.jpg'\nattribution='x'").unwrap();
        let Origin::Template(t) = b.iter().next().unwrap().origin() else { panic!() };
        assert_eq!(t.fill(5, 2, 9), "http://h/img/5/9/2.jpg");
    }

    #[test]
    fn gcj02_is_refused_without_the_acknowledgement_and_kept_with_it() {
        let text = "[[basemap]]\nname='amap'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='高德'\ncrs='gcj02'\n";
        let e = parse(text).unwrap_err().to_string();
        assert!(e.contains("\"amap\"") && e.contains("`crs`") && e.contains("500 m") && e.contains("offset_ack"), "{e}");
        let ok = parse(&format!("{text}offset_ack = true\n")).unwrap();
        assert_eq!(ok.iter().next().unwrap().crs(), Crs::Gcj02);
    }

    #[test]
    fn bad_entries_name_the_field() {
        for (text, field) in [
            ("[[basemap]]\nname='A b'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'", "`name`"),
            ("[[basemap]]\nname='a'\nkind='wms'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'", "`kind`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}'\nattribution='x'", "`url`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='ftp://h/{z}/{x}/{y}'\nattribution='x'", "`url`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'", "`attribution`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'\nmaxzoom=30", "`maxzoom`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'\nminzoom=9\nmaxzoom=3", "`minzoom`"),
            ("[[basemap]]\nname='a'\nkind='pmtiles'\npath='no-such-file.pmtiles'", "`path`"),
            ("[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'\nformat='gif'", "`format`"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(field) && e.contains("#1"), "{text}: {e}");
        }
    }

    #[test]
    fn duplicate_names_and_unknown_fields_are_refused() {
        let one = "[[basemap]]\nname='a'\nkind='xyz'\nurl='http://h/{z}/{x}/{y}'\nattribution='x'\n";
        let e = parse(&format!("{one}{one}")).unwrap_err().to_string();
        assert!(e.contains("#2") && e.contains("`name`"), "{e}");
        let e = parse(&format!("{one}colour='red'\n")).unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
    }

    #[test]
    fn an_empty_file_configures_nothing() {
        assert!(parse("").unwrap().is_empty());
    }
}
