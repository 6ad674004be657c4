//! Encoding detection and decoding: UTF-8 (with or without BOM), UTF-16 with BOM, and
//! GB18030/GBK (auto-detected when the bytes are not valid UTF-8). Binary data is refused.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use encoding_rs::{Encoding, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use encoding_rs_io::DecodeReaderBytesBuilder;

use crate::error::{Error, Result};

/// The user's `--encoding` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EncodingChoice {
    /// Detect: BOM first, then UTF-8 if the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    /// UTF-8 (a BOM is skipped).
    Utf8,
    /// GB18030, which covers GBK and GB2312.
    Gb18030,
}

/// Counts the bytes read through it, for progress bars.
pub struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Size of the sample read to detect the encoding.
const SAMPLE: usize = 256 * 1024;

/// Detects the encoding of `path` and returns it with its display name.
pub fn detect(path: &Path, file: &mut File, choice: EncodingChoice) -> Result<&'static Encoding> {
    let mut sample = Vec::with_capacity(SAMPLE);
    file.by_ref().take(SAMPLE as u64).read_to_end(&mut sample)?;
    file.seek(SeekFrom::Start(0))?;
    let input_err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    if let Some((enc, _)) = Encoding::for_bom(&sample) {
        return Ok(enc);
    }
    // NUL bytes: UTF-16 without a BOM or binary data, unless they are a few strays in text
    // (then the text decides, and cleaning drops them).
    let nuls = sample.iter().filter(|&&b| b == 0).count();
    let sample_kb = sample.len().div_ceil(1024);
    let binary = || {
        input_err(format!(
            "binary data ({nuls} NUL bytes in the first {sample_kb} KB): not a text file (UTF-16 needs a BOM)"
        ))
    };
    if nuls * 10 > sample.len() {
        return Err(binary());
    }
    let text: Vec<u8> = if nuls > 0 {
        sample.iter().copied().filter(|&b| b != 0).collect()
    } else {
        sample
    };
    let (utf8_multibyte, utf8_errors) = utf8_evidence(&text);
    // Valid UTF-8, or UTF-8 with rare bad bytes (a damaged row among many good ones): read it
    // as UTF-8 and let the rows with bad bytes be rejected one by one.
    let utf8_ok = utf8_errors == 0 || utf8_errors * 10 <= utf8_multibyte;
    match choice {
        EncodingChoice::Utf8 if !utf8_ok => {
            let at = std::str::from_utf8(&text)
                .err()
                .map(|e| e.valid_up_to())
                .unwrap_or(0);
            Err(input_err(format!(
                "not valid UTF-8 (first bad byte at offset {at}); try --encoding gb18030"
            )))
        }
        EncodingChoice::Utf8 => Ok(UTF_8),
        EncodingChoice::Gb18030 => Ok(GB18030),
        EncodingChoice::Auto if utf8_ok && (nuls == 0 || utf8_errors == 0) => Ok(UTF_8),
        EncodingChoice::Auto => {
            let (decoded, _) = GB18030.decode_without_bom_handling(&text);
            let controls = decoded
                .chars()
                .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                .count();
            let bad = decoded.chars().filter(|&c| c == '\u{fffd}').count();
            let wide = decoded.chars().filter(|c| !c.is_ascii()).count();
            // GB18030 with rare undecodable bytes: those rows are rejected one by one.
            if bad * 10 > wide || controls * 100 > decoded.chars().count().max(1) {
                Err(if nuls > 0 {
                    binary()
                } else {
                    input_err("unrecognised encoding: neither UTF-8 nor GB18030 text (binary data?); use --encoding".into())
                })
            } else {
                Ok(GB18030)
            }
        }
    }
}

/// Counts valid multi-byte UTF-8 characters and invalid sequences in `bytes` (an incomplete
/// character cut by the sample's end is not an error).
fn utf8_evidence(mut bytes: &[u8]) -> (usize, usize) {
    let (mut multibyte, mut errors) = (0, 0);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                multibyte += s.chars().filter(|c| !c.is_ascii()).count();
                return (multibyte, errors);
            }
            Err(e) => {
                let good = &bytes[..e.valid_up_to()];
                multibyte += std::str::from_utf8(good)
                    .map(|s| s.chars().filter(|c| !c.is_ascii()).count())
                    .unwrap_or(0);
                match e.error_len() {
                    Some(n) => {
                        errors += 1;
                        bytes = &bytes[e.valid_up_to() + n..];
                    }
                    None => return (multibyte, errors),
                }
            }
        }
    }
}

/// Opens `path` as a UTF-8 byte stream, transcoding when needed; `count` receives raw bytes
/// read. UTF-8 input passes through untouched (BOM stripped), so a row with invalid bytes is
/// caught and rejected by the reader instead of being silently altered; transcoded input
/// marks undecodable bytes with U+FFFD, which the readers reject too.
pub fn open_decoded(path: &Path, choice: EncodingChoice, count: Arc<AtomicU64>) -> Result<Decoded> {
    let mut file = File::open(path).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("cannot open: {e}"),
    })?;
    let enc = detect(path, &mut file, choice)?;
    let counting = CountingReader { inner: file, count };
    // For UTF-8, no decoder at all (passthrough); BOM sniffing still strips a UTF-8 BOM.
    let reader = DecodeReaderBytesBuilder::new()
        .encoding(if enc == UTF_8 { None } else { Some(enc) })
        .utf8_passthru(true)
        .bom_override(true)
        .strip_bom(true)
        .build(counting);
    let name = if enc == UTF_16LE || enc == UTF_16BE {
        "UTF-16"
    } else {
        enc.name()
    };
    Ok(Decoded {
        reader: Box::new(io::BufReader::with_capacity(1 << 16, reader)),
        name,
        transcoded: enc != UTF_8,
    })
}

/// A decoded input stream.
pub struct Decoded {
    /// UTF-8 bytes (invalid sequences possible only when not transcoded).
    pub reader: Box<dyn Read + Send>,
    /// Encoding name for the summary.
    pub name: &'static str,
    /// Whether the bytes were transcoded (then U+FFFD marks undecodable input).
    pub transcoded: bool,
}

/// Checks one field's bytes: valid UTF-8, and no U+FFFD when it came from transcoding.
pub fn field_text(
    bytes: &[u8],
    transcoded: bool,
    encoding: &str,
) -> std::result::Result<String, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        format!(
            "invalid UTF-8 bytes (at byte {} of the field)",
            e.valid_up_to()
        )
    })?;
    if transcoded && text.contains('\u{fffd}') {
        return Err(format!("bytes that are not valid {encoding}"));
    }
    Ok(text.to_string())
}
