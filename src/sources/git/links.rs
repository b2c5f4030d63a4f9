//! Web links for commits and tags, derived from the `origin` remote when it is
//! on github.com or gitlab.com (other hosts' URL layouts vary: no links).

use crate::model::Text;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Forge {
    GitHub,
    GitLab,
}

/// The web address of a repository on a known forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    forge: Forge,
    /// `https://host/owner/repo`, built from the parsed parts only, so user names
    /// and tokens in the remote URL never reach a link.
    base: String,
}

impl Links {
    /// Parses `https://[user[:token]@]host/owner/repo[.git]`,
    /// `ssh://git@host[:port]/owner/repo[.git]` and `git@host:owner/repo[.git]`.
    pub fn from_remote(url: &str) -> Option<Self> {
        let url = url.trim();
        let (host, path) = if let Some(rest) = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .or_else(|| url.strip_prefix("ssh://"))
            .or_else(|| url.strip_prefix("git://"))
        {
            let (authority, path) = rest.split_once('/')?;
            let host = authority.rsplit('@').next()?;
            let host = host.split(':').next()?;
            (host, path)
        } else {
            // scp-like: [user@]host:path
            let (authority, path) = url.split_once(':')?;
            if authority.contains('/') {
                return None;
            }
            (authority.rsplit('@').next()?, path)
        };
        let forge = match host.to_ascii_lowercase().as_str() {
            "github.com" => Forge::GitHub,
            "gitlab.com" => Forge::GitLab,
            _ => return None,
        };
        let path = path.trim_matches('/');
        let path = path.strip_suffix(".git").unwrap_or(path);
        let parts: Vec<&str> = path.split('/').collect();
        let valid = |p: &&str| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        // GitHub: owner/repo; GitLab: group/[subgroups/]project.
        let ok = match forge {
            Forge::GitHub => parts.len() == 2,
            Forge::GitLab => parts.len() >= 2,
        } && parts.iter().all(valid);
        if !ok {
            return None;
        }
        let host = match forge {
            Forge::GitHub => "github.com",
            Forge::GitLab => "gitlab.com",
        };
        Some(Self {
            forge,
            base: format!("https://{host}/{}", parts.join("/")),
        })
    }

    pub fn commit(&self, oid: &str) -> Text {
        match self.forge {
            Forge::GitHub => Text::from(format!("{}/commit/{oid}", self.base)),
            Forge::GitLab => Text::from(format!("{}/-/commit/{oid}", self.base)),
        }
    }

    pub fn tag(&self, name: &str) -> Text {
        let name = encode(name);
        match self.forge {
            Forge::GitHub => Text::from(format!("{}/releases/tag/{name}", self.base)),
            Forge::GitLab => Text::from(format!("{}/-/tags/{name}", self.base)),
        }
    }
}

/// Percent-encodes what a ref name may hold but a URL path may not carry as is.
fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b'+' | b'@') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_on_known_forges_give_links_without_credentials() {
        let gh = Links::from_remote("git@github.com:acme/shop.git").unwrap();
        assert_eq!(
            &*gh.commit("abc"),
            "https://github.com/acme/shop/commit/abc"
        );
        assert_eq!(
            &*gh.tag("v1.0#rc"),
            "https://github.com/acme/shop/releases/tag/v1.0%23rc"
        );
        let with_token =
            Links::from_remote("https://x-access-token:SECRET@github.com/acme/shop").unwrap();
        assert_eq!(with_token, gh);
        assert!(!with_token.commit("a").contains("SECRET"));
        assert_eq!(
            Links::from_remote("ssh://git@github.com:22/acme/shop.git"),
            Some(gh)
        );
        let gl = Links::from_remote("https://gitlab.com/group/sub/project.git").unwrap();
        assert_eq!(
            &*gl.commit("abc"),
            "https://gitlab.com/group/sub/project/-/commit/abc"
        );
        assert_eq!(
            &*gl.tag("v2"),
            "https://gitlab.com/group/sub/project/-/tags/v2"
        );
    }

    #[test]
    fn other_remotes_give_no_links() {
        assert_eq!(Links::from_remote("/srv/git/shop.git"), None);
        assert_eq!(
            Links::from_remote("https://git.example.com/acme/shop"),
            None
        );
        assert_eq!(Links::from_remote("git@github.com:acme/shop/extra"), None);
        assert_eq!(Links::from_remote("https://github.com/acme/../x"), None);
        assert_eq!(Links::from_remote("https://github.com/acme/sh op"), None);
        assert_eq!(Links::from_remote(""), None);
    }
}
