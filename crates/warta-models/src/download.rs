//! Fetching one model file: bounded, verified, resumable.
//!
//! Every byte that enters a staging directory was declared beforehand — by a
//! Remote Settings record (`attachment.size`/`hash`, then
//! `decompressedSize`/`decompressedHash`) or by a mirror's manifest. A body
//! longer than declared is cut off at the declared size rather than read to
//! the end, so a hostile or broken server cannot fill the disk; a zstd stream
//! that inflates past its declared size is cut off the same way.
//!
//! Failures name the file and the URL in one line.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use fxtranslate::fetch::{Fetch, FetchError};
use sha2::{Digest, Sha256};

use crate::{ModelError, Result};

/// Reports download progress; the CLI draws bars on a terminal and plain lines
/// elsewhere. The library never writes to the terminal itself.
pub trait Progress {
    /// A download of `bytes` bytes of `file` begins.
    fn start(&mut self, file: &str, bytes: u64);
    /// `done` bytes of the current file have arrived (absolute).
    fn advance(&mut self, done: u64);
    /// The current file is complete (`ok`) or abandoned.
    fn finish(&mut self, ok: bool);
}

/// No progress output (tests, library users).
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _: &str, _: u64) {}
    fn advance(&mut self, _: u64) {}
    fn finish(&mut self, _: bool) {}
}

/// What a download must turn out to be.
pub(crate) struct Declared<'a> {
    /// The file's name, for messages.
    pub name: &'a str,
    pub url: &'a str,
    pub size: u64,
    pub sha256: &'a str,
}

impl Declared<'_> {
    fn fail(&self, reason: impl Into<String>) -> ModelError {
        ModelError::Download {
            file: self.name.to_string(),
            url: self.url.to_string(),
            reason: reason.into(),
        }
    }
}

/// Attempts per file: transient network trouble is retried (resuming with an
/// HTTP range where the server allows it); a wrong size or hash is not.
const ATTEMPTS: u32 = 3;

/// Download `d.url` into `dest`, then check its size and SHA-256.
pub(crate) fn download(
    fetch: &dyn Fetch,
    d: &Declared,
    dest: &Path,
    progress: &mut dyn Progress,
) -> Result<()> {
    progress.start(d.name, d.size);
    let result = download_inner(fetch, d, dest, progress);
    progress.finish(result.is_ok());
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

fn download_inner(
    fetch: &dyn Fetch,
    d: &Declared,
    dest: &Path,
    progress: &mut dyn Progress,
) -> Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dest)
        .map_err(|e| d.fail(format!("cannot write {}: {e}", dest.display())))?;
    let mut sink = Bounded {
        file,
        limit: d.size,
        pos: 0,
        overflowed: false,
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let have = sink.pos;
        let outcome = fetch.get_to(d.url, have, &mut sink, &mut |done, _| {
            progress.advance(done)
        });
        match outcome {
            Ok(_) => break,
            Err(_) if sink.overflowed => {
                return Err(d.fail(format!(
                    "the server sent more than the {} bytes declared for it",
                    d.size
                )))
            }
            Err(FetchError {
                retryable: true, ..
            }) if attempt < ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(500 * u64::from(attempt)));
            }
            Err(e) => return Err(d.fail(crate::remote_settings::fetch_reason(&e.message, d.url))),
        }
    }
    // A server that ignored the range may have re-sent a shorter body.
    let end = sink.pos;
    sink.file.set_len(end).map_err(|e| d.fail(e.to_string()))?;
    if end != d.size {
        return Err(d.fail(format!(
            "truncated: received {end} bytes, {} declared",
            d.size
        )));
    }
    drop(sink);
    let actual = sha256_of(dest).map_err(|e| d.fail(e.to_string()))?;
    if !actual.eq_ignore_ascii_case(d.sha256) {
        return Err(d.fail(format!(
            "checksum mismatch: declared sha256 {}, received {actual}",
            d.sha256
        )));
    }
    Ok(())
}

/// Decompress the zstd file `src` into `dest`, reading no more than the
/// declared size plus one byte of output, and check size and SHA-256.
pub(crate) fn unzstd(src: &Path, d: &Declared, dest: &Path) -> Result<()> {
    let result = unzstd_inner(src, d, dest);
    if result.is_err() {
        let _ = std::fs::remove_file(dest);
    }
    result
}

fn unzstd_inner(src: &Path, d: &Declared, dest: &Path) -> Result<()> {
    let input = File::open(src).map_err(|e| d.fail(e.to_string()))?;
    let decoder = ruzstd::StreamingDecoder::new(BufReader::new(input))
        .map_err(|e| d.fail(format!("not a zstd stream: {e}")))?;
    let mut limited = decoder.take(d.size.saturating_add(1));
    let mut out =
        File::create(dest).map_err(|e| d.fail(format!("cannot write {}: {e}", dest.display())))?;
    let mut hash = Sha256::new();
    let mut total = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = limited
            .read(&mut buf)
            .map_err(|e| d.fail(format!("zstd: {e}")))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        hash.update(&buf[..n]);
        out.write_all(&buf[..n])
            .map_err(|e| d.fail(e.to_string()))?;
    }
    out.sync_all().map_err(|e| d.fail(e.to_string()))?;
    if total > d.size {
        return Err(d.fail(format!(
            "decompresses to more than the {} bytes declared",
            d.size
        )));
    }
    if total < d.size {
        return Err(d.fail(format!(
            "decompresses to only {total} bytes, {} declared",
            d.size
        )));
    }
    let actual = hex::encode(hash.finalize());
    if !actual.eq_ignore_ascii_case(d.sha256) {
        return Err(d.fail(format!(
            "checksum mismatch after decompression: declared sha256 {}, got {actual}",
            d.sha256
        )));
    }
    Ok(())
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// A file sink that refuses to grow past `limit` bytes. The refusal is an
/// I/O error inside the HTTP read loop, which stops reading the body there.
struct Bounded {
    file: File,
    limit: u64,
    pos: u64,
    overflowed: bool,
}

impl Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.pos.saturating_add(buf.len() as u64) > self.limit {
            self.overflowed = true;
            return Err(std::io::Error::other("more bytes than declared"));
        }
        let n = self.file.write(buf)?;
        self.pos += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Bounded {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fxtranslate::fetch::{DownloadOutcome, Sink};

    /// Serves fixed bytes, as a server would that ignores ranges.
    struct Serve(Vec<u8>);

    impl Fetch for Serve {
        fn get(&self, _: &str) -> std::result::Result<Vec<u8>, String> {
            Ok(self.0.clone())
        }
        fn get_to(
            &self,
            url: &str,
            _: u64,
            sink: &mut dyn Sink,
            on_progress: &mut dyn FnMut(u64, Option<u64>),
        ) -> std::result::Result<DownloadOutcome, FetchError> {
            sink.seek(SeekFrom::Start(0)).unwrap();
            for (i, chunk) in self.0.chunks(4).enumerate() {
                sink.write_all(chunk).map_err(|e| FetchError {
                    message: format!("writing {url}: {e}"),
                    retryable: false,
                })?;
                on_progress((i * 4 + chunk.len()) as u64, None);
            }
            Ok(DownloadOutcome {
                resumed: false,
                total: None,
            })
        }
    }

    fn declared<'a>(body: &[u8], hash: &'a str) -> Declared<'a> {
        Declared {
            name: "model.x.bin",
            url: "http://127.0.0.1/x",
            size: body.len() as u64,
            sha256: hash,
        }
    }

    #[test]
    fn only_the_declared_bytes_are_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f");
        let body = b"exactly these bytes".to_vec();
        let hash = hex::encode(Sha256::digest(&body));
        // Expected hash computed here from the body itself: the declaration
        // a correct server makes.
        download(
            &Serve(body.clone()),
            &declared(&body, &hash),
            &dest,
            &mut Quiet,
        )
        .unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), body);

        let mut longer = body.clone();
        longer.extend_from_slice(&[0; 1000]);
        let err = download(&Serve(longer), &declared(&body, &hash), &dest, &mut Quiet)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than the 19 bytes"), "{err}");
        assert!(err.starts_with("model.x.bin"), "{err}");
        assert!(!dest.exists());

        let err = download(
            &Serve(body[..5].to_vec()),
            &declared(&body, &hash),
            &dest,
            &mut Quiet,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("truncated"), "{err}");

        let mut flipped = body.clone();
        flipped[3] ^= 1;
        let err = download(&Serve(flipped), &declared(&body, &hash), &dest, &mut Quiet)
            .unwrap_err()
            .to_string();
        assert!(err.contains("checksum mismatch"), "{err}");
    }

    #[test]
    fn a_zstd_stream_is_checked_after_decompression() {
        // A zstd frame holding "hello" in one raw block, written by hand from
        // RFC 8878 (magic, frame header with single-segment content size,
        // last raw block of 5 bytes).
        let frame: &[u8] = &[
            0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x05, 0x29, 0x00, 0x00, b'h', b'e', b'l', b'l', b'o',
        ];
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("f.zst");
        std::fs::write(&src, frame).unwrap();
        let dest = dir.path().join("f");
        let hash = hex::encode(Sha256::digest(b"hello"));
        unzstd(&src, &declared(b"hello", &hash), &dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"hello");

        let err = unzstd(&src, &declared(b"hell", &hash), &dest)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than"), "{err}");
        assert!(!dest.exists());
        let other = hex::encode(Sha256::digest(b"world"));
        let err = unzstd(&src, &declared(b"hello", &other), &dest)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("checksum mismatch after decompression"),
            "{err}"
        );
        std::fs::write(&src, b"not zstd at all").unwrap();
        assert!(unzstd(&src, &declared(b"hello", &hash), &dest).is_err());
    }
}
