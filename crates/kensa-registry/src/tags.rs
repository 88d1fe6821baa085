//! Listing a repository's tags (`GET /v2/<name>/tags/list`), following the `Link`
//! pagination of the distribution spec to the end.

use crate::{Client, Reference, RegistryError};

/// More tags than any real repository holds: past this the listing is refused rather
/// than grown without bound.
pub const MAX_TAGS: usize = 100_000;
/// One page of the listing is JSON of at most this many bytes.
const MAX_PAGE_BYTES: u64 = 8 * 1024 * 1024;

#[derive(serde::Deserialize)]
struct TagPage {
    // `null` for a repository whose tags were all deleted.
    #[serde(default)]
    tags: Option<Vec<String>>,
}

impl Client {
    /// Every tag of `repository` (its tag or digest is ignored), in the registry's
    /// order, asking for pages of `page_size` tags when given (the registry may answer
    /// with fewer) and following each `Link: <…>; rel="next"` on the same host.
    pub fn tags(
        &self,
        repository: &Reference,
        page_size: Option<u32>,
    ) -> Result<Vec<String>, RegistryError> {
        let base = self.base(repository);
        let mut url = format!("{base}/tags/list");
        if let Some(n) = page_size {
            url.push_str(&format!("?n={n}"));
        }
        let what = format!("the tag list of `{}`", repository.repository());
        let mut tags: Vec<String> = Vec::new();
        // A registry whose `Link` never ends (or loops) is stopped by the tag bound; an
        // empty page with a `Link` is the only way to loop without adding tags.
        let mut empty_pages = 0;
        loop {
            let mut response = self.get(repository, &url, "application/json", &what, "tag list")?;
            let next = response
                .headers()
                .get("link")
                .and_then(|v| v.to_str().ok())
                .and_then(next_link);
            let body = response
                .body_mut()
                .with_config()
                .limit(MAX_PAGE_BYTES)
                .read_to_vec()
                .map_err(|e| RegistryError::Transport {
                    registry: repository.registry().to_owned(),
                    reason: format!("reading {what}: {e}"),
                })?;
            let page: TagPage =
                serde_json::from_slice(&body).map_err(|e| RegistryError::Transport {
                    registry: repository.registry().to_owned(),
                    reason: format!("{what} is not the expected JSON: {e}"),
                })?;
            let page = page.tags.unwrap_or_default();
            empty_pages = if page.is_empty() { empty_pages + 1 } else { 0 };
            tags.extend(page);
            if tags.len() > MAX_TAGS || empty_pages > 3 {
                return Err(RegistryError::TooLarge {
                    registry: repository.registry().to_owned(),
                    what: format!("{what} (tags)"),
                    limit: MAX_TAGS as u64,
                });
            }
            let Some(next) = next else {
                break;
            };
            url = self.same_registry_url(repository, &next)?;
        }
        // A registry paging carelessly may repeat a tag across pages.
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.clone()));
        Ok(tags)
    }

    /// `Link` targets are usually paths; an absolute one must point at the same
    /// registry, as the request carries its credentials.
    fn same_registry_url(
        &self,
        repository: &Reference,
        target: &str,
    ) -> Result<String, RegistryError> {
        let base = self.base(repository);
        // `scheme://host` of the registry.
        let origin = base
            .find("/v2/")
            .map(|i| &base[..i])
            .unwrap_or(base.as_str());
        if target.starts_with('/') && !target.starts_with("//") {
            return Ok(format!("{origin}{target}"));
        }
        if target
            .strip_prefix(origin)
            .is_some_and(|rest| rest.starts_with('/'))
        {
            return Ok(target.to_owned());
        }
        Err(RegistryError::Transport {
            registry: repository.registry().to_owned(),
            reason: format!(
                "the tag list's next page is on another host (`{}`), which kensa does not \
                 send this registry's credentials to",
                target.chars().take(200).collect::<String>()
            ),
        })
    }
}

/// The target of the `rel="next"` link in a `Link` header (RFC 8288), if any.
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|link| {
        let (target, params) = link.trim().split_once('>')?;
        let target = target.trim().strip_prefix('<')?;
        let next = params.split(';').any(|p| {
            p.trim()
                .split_once('=')
                .is_some_and(|(k, v)| k.trim() == "rel" && v.trim().trim_matches('"') == "next")
        });
        next.then(|| target.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_next_link() {
        assert_eq!(
            next_link(r#"</v2/app/tags/list?last=b&n=2>; rel="next""#).as_deref(),
            Some("/v2/app/tags/list?last=b&n=2")
        );
        assert_eq!(
            next_link(r#"<https://x/a>; rel="prev", <https://x/b>; rel=next"#).as_deref(),
            Some("https://x/b")
        );
        assert_eq!(next_link(r#"</v2/a>; rel="prev""#), None);
        assert_eq!(next_link("garbage"), None);
    }

    #[test]
    fn next_pages_stay_on_the_registry() {
        let client = Client::new(crate::ClientOptions::default()).unwrap();
        let r = Reference::parse("registry.example/team/app").unwrap();
        assert_eq!(
            client
                .same_registry_url(&r, "/v2/team/app/tags/list?last=a&n=5")
                .unwrap(),
            "https://registry.example/v2/team/app/tags/list?last=a&n=5"
        );
        assert!(
            client
                .same_registry_url(&r, "https://registry.example/v2/x")
                .is_ok()
        );
        for elsewhere in [
            "https://evil.example/v2/x",
            "//evil.example/v2/x",
            "https://registry.example.evil/v2/x",
            "http://registry.example/v2/x",
        ] {
            let err = client.same_registry_url(&r, elsewhere).unwrap_err();
            assert!(err.to_string().contains("another host"), "{err}");
        }
    }
}
