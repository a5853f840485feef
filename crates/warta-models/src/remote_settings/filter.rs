//! `filter_expression`: which Firefox builds a record is for.
//!
//! Remote Settings attaches a JEXL expression to records meant for some
//! clients only; Firefox evaluates it against its own environment and drops
//! the record when it is false *or when evaluation fails* (remote-settings
//! `jexlFilterFunc`). Mozilla's translation records use a tiny subset:
//! `env.channel`, `env.appinfo.OS`, `==`, `!=`, `&&`, `||`, parentheses and
//! quoted strings, e.g. `env.appinfo.OS != 'Android' || env.channel != 'release'`.
//!
//! This module evaluates exactly that subset. Whatever else appears (another
//! variable, a JEXL transform, a comparison like `>=`) is an error, and an
//! error means "not for us" — fail closed, as Firefox does.

/// The client a record must be meant for.
#[derive(Debug, Clone, Copy)]
pub struct ClientEnv {
    pub channel: &'static str,
    pub os: &'static str,
}

/// What warta presents itself as: a release build of desktop Firefox on
/// Linux (values as Firefox reports them: `AppConstants.MOZ_UPDATE_CHANNEL`,
/// `Services.appinfo.OS`). A newsroom server is a desktop-class machine that
/// must only run models Mozilla has released.
pub const DESKTOP_RELEASE: ClientEnv = ClientEnv {
    channel: "release",
    os: "Linux",
};

/// Whether a record with this `filter_expression` is for `env`. Empty means
/// everyone; anything not understood is not for us.
pub fn admits(expression: &str, env: &ClientEnv) -> bool {
    if expression.trim().is_empty() {
        return true;
    }
    evaluate(expression, env).unwrap_or(false)
}

/// The expression's value, or why it could not be evaluated.
pub fn evaluate(expression: &str, env: &ClientEnv) -> Result<bool, String> {
    let tokens = tokenize(expression)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        env,
        depth: 0,
    };
    let value = p.or()?;
    if let Some(extra) = tokens.get(p.pos) {
        return Err(format!("unexpected {extra:?}"));
    }
    Ok(value)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Eq,
    Ne,
    And,
    Or,
    Open,
    Close,
}

fn tokenize(s: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let two =
            |next: char, tok: Token, chars: &mut std::iter::Peekable<std::str::CharIndices>| {
                if chars.next_if(|(_, n)| *n == next).is_some() {
                    Ok(tok)
                } else {
                    Err(format!("unsupported operator at byte {i}"))
                }
            };
        let tok = match c {
            c if c.is_whitespace() => continue,
            '(' => Token::Open,
            ')' => Token::Close,
            '=' => two('=', Token::Eq, &mut chars)?,
            '!' => two('=', Token::Ne, &mut chars)?,
            '&' => two('&', Token::And, &mut chars)?,
            '|' => two('|', Token::Or, &mut chars)?,
            '\'' | '"' => {
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some((_, q)) if q == c => break,
                        // JEXL escapes are not in Mozilla's subset.
                        Some((_, '\\')) => return Err("escape sequences are not supported".into()),
                        Some((_, ch)) => text.push(ch),
                        None => return Err("unterminated string".into()),
                    }
                }
                Token::Str(text)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = c.to_string();
                while let Some((_, n)) =
                    chars.next_if(|(_, n)| n.is_ascii_alphanumeric() || *n == '_' || *n == '.')
                {
                    name.push(n);
                }
                Token::Ident(name)
            }
            other => return Err(format!("unsupported character {other:?}")),
        };
        out.push(tok);
    }
    Ok(out)
}

/// Deep enough for any expression Mozilla writes; bounded so that hostile
/// input cannot exhaust the stack.
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    env: &'a ClientEnv,
    depth: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.pos);
        self.pos += 1;
        t
    }

    fn eat(&mut self, t: &Token) -> bool {
        if self.tokens.get(self.pos) == Some(t) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    // Both sides are always parsed (no short-circuit) so that an error
    // anywhere in the expression rejects the record.
    fn or(&mut self) -> Result<bool, String> {
        let mut v = self.and()?;
        while self.eat(&Token::Or) {
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, String> {
        let mut v = self.term()?;
        while self.eat(&Token::And) {
            let r = self.term()?;
            v = v && r;
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<bool, String> {
        if self.eat(&Token::Open) {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err("expression nested too deeply".into());
            }
            let v = self.or()?;
            self.depth -= 1;
            if !self.eat(&Token::Close) {
                return Err("missing `)`".into());
            }
            return Ok(v);
        }
        let left = self.operand()?;
        let equal = match self.next() {
            Some(Token::Eq) => true,
            Some(Token::Ne) => false,
            other => return Err(format!("expected `==` or `!=`, found {other:?}")),
        };
        let right = self.operand()?;
        Ok((left == right) == equal)
    }

    fn operand(&mut self) -> Result<String, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(s.clone()),
            Some(Token::Ident(name)) => match name.as_str() {
                "env.channel" => Ok(self.env.channel.to_string()),
                "env.appinfo.OS" => Ok(self.env.os.to_string()),
                other => Err(format!("unknown variable `{other}`")),
            },
            other => Err(format!("expected a value, found {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANDROID_RELEASE: ClientEnv = ClientEnv {
        channel: "release",
        os: "Android",
    };
    const DESKTOP_NIGHTLY: ClientEnv = ClientEnv {
        channel: "nightly",
        os: "Linux",
    };

    #[test]
    fn mozillas_expressions_select_as_in_firefox() {
        // The three expressions quoted in issue 10 from Mozilla's
        // translations-models-v2 records, with the client each admits.
        let desktop_or_prerelease = "env.appinfo.OS != 'Android' || env.channel != 'release'";
        assert!(admits(desktop_or_prerelease, &DESKTOP_RELEASE));
        assert!(!admits(desktop_or_prerelease, &ANDROID_RELEASE));
        let alpha = "env.channel == 'default' || env.channel == 'nightly'";
        assert!(!admits(alpha, &DESKTOP_RELEASE));
        assert!(admits(alpha, &DESKTOP_NIGHTLY));
        let android = "env.appinfo.OS == 'Android'";
        assert!(!admits(android, &DESKTOP_RELEASE));
        assert!(admits(android, &ANDROID_RELEASE));
        assert!(admits("", &DESKTOP_RELEASE), "empty = for everyone");
        assert!(admits("  ", &DESKTOP_RELEASE));
    }

    #[test]
    fn precedence_and_parentheses_follow_jexl() {
        // && binds tighter than || (JEXL grammar, as in JavaScript).
        assert!(evaluate("'a' == 'a' || 'a' == 'b' && 'a' == 'b'", &DESKTOP_RELEASE).unwrap());
        assert!(!evaluate("('a' == 'a' || 'a' == 'b') && 'a' == 'b'", &DESKTOP_RELEASE).unwrap());
        assert!(evaluate(
            "env.channel == \"release\" && (env.appinfo.OS == 'Linux')",
            &DESKTOP_RELEASE
        )
        .unwrap());
    }

    #[test]
    fn anything_else_fails_closed() {
        for e in [
            "env.version|versionCompare('130') >= 0",
            "env.locale == 'en-US'",
            "env.channel",
            "env.channel == 'release' &&",
            "(env.channel == 'release'",
            "env.channel == 'release')",
            "env.channel = 'release'",
            "env.channel == 'rel\\'ease'",
            "env.channel == 'release",
            "env.channel in ['release']",
            "!(env.channel == 'nightly')",
        ] {
            assert!(evaluate(e, &DESKTOP_RELEASE).is_err(), "{e} evaluated");
            assert!(!admits(e, &DESKTOP_RELEASE), "{e} admitted");
        }
        let deep = format!(
            "{}env.channel == 'release'{}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        assert!(!admits(&deep, &DESKTOP_RELEASE));
    }
}
