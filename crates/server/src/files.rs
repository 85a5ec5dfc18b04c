//! Serving the static files, from `--assets DIR` or from the copy compiled into the binary,
//! the same way for both:
//!
//! - **Precompressed.** `cargo xtask assets` writes `x.br` (brotli) and `x.gz` (gzip) beside
//!   each compressible file `x`; a request gets the smallest copy its `Accept-Encoding`
//!   allows (brotli, then gzip, then the file itself), always with `Vary: Accept-Encoding`.
//!   A file without those copies is sent as it is (and gzipped on the fly by the router's
//!   compression layer).
//! - **Cached by name.** A file whose name carries its content hash (as xtask and trunk
//!   name the built apps' files: `name-0123456789abcdef.ext`, `name-0123456789abcdef_bg.wasm`) never changes:
//!   `public, max-age=31536000, immutable`. The loader `widget.js`, which every host page
//!   loads by a fixed name, is cached five minutes, then revalidated; every other file
//!   (the pages, which name the hashed files, the sound) is revalidated on every use
//!   (`no-cache`). Each answer carries an `ETag` (per encoding), and `If-None-Match` gets a
//!   `304 Not Modified`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::AppState;

/// `Cache-Control` of a file whose name carries its content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `Cache-Control` of the loader: a host page's next views within five minutes skip the
/// round trip; after that, a conditional request (`304` when unchanged).
pub const LOADER: &str = "public, max-age=300";
/// `Cache-Control` of every other file and of the pages: revalidated on every use.
pub const REVALIDATE: &str = "no-cache";

/// A content coding the server keeps a precompressed copy in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    /// The `Content-Encoding` token.
    pub fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    /// The suffix of the precompressed copy beside a file.
    pub fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }
}

/// The codings of ours a request accepts, best first (by `q`, brotli first on a tie).
/// No header means the file as it is (`identity`).
pub fn accepted(headers: &HeaderMap) -> Vec<Encoding> {
    let Some(value) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return Vec::new();
    };
    let (mut br, mut gzip, mut star) = (None, None, None);
    for item in value.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match name.as_str() {
            "br" => br = Some(q),
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => star = Some(q),
            _ => {}
        }
    }
    let mut codings: Vec<(Encoding, f32)> = [
        (Encoding::Brotli, br.or(star).unwrap_or(0.0)),
        (Encoding::Gzip, gzip.or(star).unwrap_or(0.0)),
    ]
    .into_iter()
    .filter(|(_, q)| *q > 0.0)
    .collect();
    // Stable: brotli stays first when both weigh the same.
    codings.sort_by(|a, b| b.1.total_cmp(&a.1));
    codings.into_iter().map(|(e, _)| e).collect()
}

/// Whether a file name carries a content hash, as the build names the apps' files
/// (`tidings-widget-18953e828e77eff4_bg.wasm`, `widget-3e65512785c2fdc0.css`): a 64-bit
/// hash in hex, without leading zeros (`tidings-console-9efbedf8e33db6b.js`).
pub fn is_hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, _ext)) = name.rsplit_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    let Some((_, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    (8..=16).contains(&hash.len()) && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The `Cache-Control` a file is served with, by its path under the assets.
pub fn cache_control(path: &str) -> &'static str {
    if is_hashed(path) {
        IMMUTABLE
    } else if path == "widget.js" {
        LOADER
    } else {
        REVALIDATE
    }
}

/// The content type of a file, by its extension (the kinds the assets have).
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("wav") => "audio/wav",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// A body in each form the server keeps it, with the tag of its content.
#[derive(Debug, Clone)]
pub struct Variants {
    pub identity: Vec<u8>,
    pub brotli: Vec<u8>,
    pub gzip: Vec<u8>,
    /// A strong tag of `identity` (quoted, without the coding's suffix).
    pub tag: String,
}

impl Variants {
    /// Compresses `body` once (for what is built at start, like the pages).
    pub fn compress(body: Vec<u8>) -> Self {
        use std::io::Write;
        let mut brotli = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut body.as_slice(), &mut brotli, &params)
                .expect("compressing into memory cannot fail");
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&body).expect("writing to memory cannot fail");
        let gzip = gz.finish().expect("writing to memory cannot fail");
        let tag = content_tag(&body);
        Variants {
            identity: body,
            brotli,
            gzip,
            tag,
        }
    }

    /// The answer to `headers` with these bytes and the given headers besides.
    pub fn respond(
        &self,
        request: &HeaderMap,
        content_type: &'static str,
        cache_control: &'static str,
    ) -> Response {
        let encoding = accepted(request).first().copied();
        let body: &[u8] = match encoding {
            Some(Encoding::Brotli) => &self.brotli,
            Some(Encoding::Gzip) => &self.gzip,
            None => &self.identity,
        };
        answer(
            request,
            Answer {
                etag: etag(&self.tag, encoding),
                encoding,
                content_type,
                cache_control,
            },
            || Body::from(body.to_vec()),
        )
    }
}

/// A strong tag of `bytes`: the start of their SHA-256, quoted.
fn content_tag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The `ETag` of one encoding of a file whose content tag is `tag`.
fn etag(tag: &str, encoding: Option<Encoding>) -> String {
    match encoding {
        None => tag.to_string(),
        Some(e) => format!("{}-{}\"", tag.trim_end_matches('"'), e.token()),
    }
}

/// Where the static files come from.
#[derive(Debug, Default)]
pub enum Files {
    /// None: only the API is served.
    #[default]
    None,
    /// A directory, read at each request (so a rebuilt directory is served at once).
    Dir(PathBuf),
    /// Files compiled into the binary.
    Embedded(Embedded),
}

/// Files compiled in, with their content tags computed once at start.
#[derive(Debug)]
pub struct Embedded {
    files: HashMap<&'static str, (&'static [u8], String)>,
}

impl Embedded {
    /// From `(path under the assets, bytes)` pairs, as `build.rs` writes them.
    pub fn new(table: &'static [(&'static str, &'static [u8])]) -> Self {
        let files = table
            .iter()
            .map(|(path, bytes)| (*path, (*bytes, content_tag(bytes))))
            .collect();
        Embedded { files }
    }

    /// A file's bytes.
    pub fn get(&self, path: &str) -> Option<&'static [u8]> {
        self.files.get(path).map(|(bytes, _)| *bytes)
    }
}

impl Files {
    /// The directory when given, else what the binary carries, else nothing.
    pub fn from_settings(dir: Option<&Path>) -> Self {
        match dir {
            Some(dir) => Files::Dir(dir.to_path_buf()),
            None if crate::embedded::present() => {
                Files::Embedded(Embedded::new(crate::embedded::EMBEDDED))
            }
            None => Files::None,
        }
    }

    /// Whether there is anything to serve.
    pub fn present(&self) -> bool {
        !matches!(self, Files::None)
    }

    /// A file's bytes as they are (for the pages, read once at start).
    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        match self {
            Files::None => None,
            Files::Dir(dir) => std::fs::read(dir.join(path)).ok(),
            Files::Embedded(embedded) => embedded.get(path).map(<[u8]>::to_vec),
        }
    }

    /// The best form of `path` for a request accepting `codings`: where its bytes are, their
    /// encoding and their `ETag`.
    async fn find(&self, path: &str, codings: &[Encoding]) -> Option<Found> {
        match self {
            Files::None => None,
            Files::Dir(dir) => {
                let file = dir.join(path);
                let meta = tokio::fs::metadata(&file).await.ok()?;
                if !meta.is_file() {
                    return None;
                }
                let modified = meta
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                let tag = format!("\"{:x}-{modified:x}\"", meta.len());
                for &coding in codings {
                    let copy = dir.join(format!("{path}{}", coding.suffix()));
                    if tokio::fs::metadata(&copy).await.is_ok_and(|m| m.is_file()) {
                        return Some(Found {
                            bytes: Bytes::Path(copy),
                            encoding: Some(coding),
                            etag: etag(&tag, Some(coding)),
                        });
                    }
                }
                Some(Found {
                    bytes: Bytes::Path(file),
                    encoding: None,
                    etag: tag,
                })
            }
            Files::Embedded(embedded) => {
                let (bytes, tag) = embedded.files.get(path)?;
                for &coding in codings {
                    if let Some(copy) = embedded.get(&format!("{path}{}", coding.suffix())) {
                        return Some(Found {
                            bytes: Bytes::Static(copy),
                            encoding: Some(coding),
                            etag: etag(tag, Some(coding)),
                        });
                    }
                }
                Some(Found {
                    bytes: Bytes::Static(bytes),
                    encoding: None,
                    etag: tag.clone(),
                })
            }
        }
    }
}

enum Bytes {
    Path(PathBuf),
    Static(&'static [u8]),
}

struct Found {
    bytes: Bytes,
    encoding: Option<Encoding>,
    etag: String,
}

/// The headers of an answer, besides its body.
struct Answer {
    etag: String,
    encoding: Option<Encoding>,
    content_type: &'static str,
    cache_control: &'static str,
}

/// `304 Not Modified` when the request holds this `ETag` already, else `200` with `body()`.
fn answer(request: &HeaderMap, answer: Answer, body: impl FnOnce() -> Body) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(answer.cache_control),
    );
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(etag) = HeaderValue::from_str(&answer.etag) {
        headers.insert(header::ETAG, etag);
    }
    if holds(request, &answer.etag) {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(answer.content_type),
    );
    if let Some(encoding) = answer.encoding {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.token()),
        );
    }
    (headers, body()).into_response()
}

/// Whether `If-None-Match` names `etag` (weakly compared, as RFC 9110 says for it) or `*`.
fn holds(request: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == bare(etag))
}

/// The path under the assets a request names (`/` and `…/` mean `index.html`), or `None`
/// for one that could leave the directory or name a precompressed copy itself: no `.`,
/// `..` or empty segment, no backslash, nothing percent-encoded (no asset needs it).
pub fn asset_path(uri_path: &str) -> Option<String> {
    let path = uri_path.strip_prefix('/')?;
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    let clean = path.split('/').all(|segment| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && !segment.contains(['\\', '%', '\0'])
    });
    let copy = path.ends_with(".br") || path.ends_with(".gz");
    (clean && !copy).then_some(path)
}

/// The router's fallback: a `GET` or `HEAD` for a static file.
pub async fn serve(State(state): State<AppState>, request: Request) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Some(path) = asset_path(request.uri().path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = request.headers();
    let Some(found) = state.pages.files.find(&path, &accepted(headers)).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // A `304` needs no bytes; `answer` sends one when the request holds the tag.
    let body = if holds(headers, &found.etag) {
        Body::empty()
    } else {
        match found.bytes {
            Bytes::Static(bytes) => Body::from(bytes),
            Bytes::Path(file) => match tokio::fs::read(&file).await {
                Ok(bytes) => Body::from(bytes),
                Err(_) => return StatusCode::NOT_FOUND.into_response(),
            },
        }
    };
    answer(
        headers,
        Answer {
            etag: found.etag,
            encoding: found.encoding,
            content_type: content_type(&path),
            cache_control: cache_control(&path),
        },
        || body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(accept: &str) -> Vec<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        accepted(&headers)
    }

    #[test]
    fn brotli_first_then_gzip_as_the_request_weighs_them() {
        use Encoding::*;
        assert_eq!(with("gzip, deflate, br, zstd"), vec![Brotli, Gzip]);
        assert_eq!(with("gzip"), vec![Gzip]);
        assert_eq!(with("br;q=0.5, gzip;q=0.8"), vec![Gzip, Brotli]);
        assert_eq!(with("br;q=0, gzip"), vec![Gzip]);
        assert_eq!(with("*"), vec![Brotli, Gzip]);
        assert_eq!(with("*;q=0.1, br;q=0"), vec![Gzip]);
        assert_eq!(with("identity"), vec![]);
        assert_eq!(accepted(&HeaderMap::new()), vec![]);
    }

    #[test]
    fn only_trunks_hashed_names_are_immutable() {
        for hashed in [
            "chat/tidings-widget-18953e828e77eff4_bg.wasm",
            "chat/tidings-widget-18953e828e77eff4.js",
            "console/console-d96e18912c9dc4e0.css",
            "console/tidings-console-9efbedf8e33db6b.js",
        ] {
            assert_eq!(cache_control(hashed), IMMUTABLE, "{hashed}");
        }
        assert_eq!(cache_control("widget.js"), LOADER);
        for other in [
            "index.html",
            "chat/index.html",
            "chat/notify.wav",
            "chat/widget.js",
            "chat/tidings-widget.js",
            "chat/snippets/tidings-widget-18953e828e77eff4/inline0.js",
            "chat/x-18953e8.js",
            "chat/x-18953E828E77EFF4.js",
            "chat/x-18953e828e77eff4a.js",
        ] {
            assert_eq!(cache_control(other), REVALIDATE, "{other}");
        }
    }

    #[test]
    fn paths_stay_inside_the_assets() {
        assert_eq!(asset_path("/").as_deref(), Some("index.html"));
        assert_eq!(asset_path("/chat/").as_deref(), Some("chat/index.html"));
        assert_eq!(asset_path("/chat/a.wasm").as_deref(), Some("chat/a.wasm"));
        for bad in [
            "/../etc/passwd",
            "/chat/../../x",
            "/chat//",
            "/chat/./index.html",
            "/chat/%69ndex.html",
            "/chat/a.wasm.br",
            "/widget.js.gz",
            "/a\\b",
        ] {
            assert_eq!(asset_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn if_none_match_is_compared_weakly() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"a\", W/\"b-br\""),
        );
        assert!(holds(&headers, "\"b-br\""));
        assert!(holds(&headers, "\"a\""));
        assert!(!holds(&headers, "\"b\""));
        assert_eq!(etag("\"b\"", Some(Encoding::Brotli)), "\"b-br\"");
    }
}
