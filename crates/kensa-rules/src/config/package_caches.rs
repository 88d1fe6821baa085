use kensa_core::{FileKind, Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// Package-manager caches and indexes left in the final image.
pub struct PackageCaches;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-009",
    title: "Package manager cache left in the image",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Package indexes, downloaded packages and language-package caches are only
needed while building. Left in the image they add size to every pull and every node,
and stale indexes make a later `apt-get install` in a derived image install outdated
versions. Dockle DKL-DI-0004, DKL-DI-0005; hadolint DL3009, DL3019, DL3042, DL3060."#,
    fix: r#"Clean up in the same `RUN` that fills the cache (a later `rm` leaves it in
the earlier layer): `rm -rf /var/lib/apt/lists/*` after `apt-get install`,
`apk add --no-cache`, `dnf clean all`, `pip install --no-cache-dir`,
`npm ci && npm cache clean --force`, or use `RUN --mount=type=cache,target=…` so the
cache never enters a layer."#,
    links: &[],
};

/// A cache: its name, its directory under the image root or under a home directory
/// (`~/` stands for `root/` and `home/*/`), and the files in it that are not cache.
struct Cache {
    name: &'static str,
    dir: &'static str,
    file_suffix: Option<&'static str>,
    not_cache: &'static [&'static str],
}

/// Sorted by directory.
const CACHES: &[Cache] = &[
    cache("apk", "etc/apk/cache/"),
    cache("Yarn", "usr/local/share/.cache/yarn/"),
    cache("apk", "var/cache/apk/"),
    Cache {
        file_suffix: Some(".deb"),
        ..cache("apt downloaded packages", "var/cache/apt/archives/")
    },
    cache("dnf", "var/cache/dnf/"),
    cache("yum", "var/cache/yum/"),
    cache("zypper packages", "var/cache/zypp/packages/"),
    Cache {
        not_cache: &["var/lib/apt/lists/lock"],
        ..cache("apt package lists", "var/lib/apt/lists/")
    },
    cache("Go build", "~/.cache/go-build/"),
    cache("pip", "~/.cache/pip/"),
    cache("Yarn", "~/.cache/yarn/"),
    cache("Composer", "~/.composer/cache/"),
    cache("npm", "~/.npm/_cacache/"),
];

const fn cache(name: &'static str, dir: &'static str) -> Cache {
    Cache {
        name,
        dir,
        file_suffix: None,
        not_cache: &[],
    }
}

impl ConfigRule for PackageCaches {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        // (cache, directory as found, files, bytes), in path order.
        let mut found: Vec<(&Cache, String, u64, u64)> = Vec::new();
        for (path, _, meta) in image.files.iter() {
            if meta.kind != FileKind::Regular {
                continue;
            }
            let Some((cache, dir)) = CACHES.iter().find_map(|c| c.dir_of(path).map(|d| (c, d)))
            else {
                continue;
            };
            match found.iter_mut().find(|(_, d, _, _)| *d == dir) {
                Some((_, _, files, bytes)) => {
                    *files = files.saturating_add(1);
                    *bytes = bytes.saturating_add(meta.size);
                }
                None => found.push((cache, dir, 1, meta.size)),
            }
        }
        for (cache, dir, files, bytes) in found {
            let message = format!(
                "{} cache: {files} file(s), {} in `/{dir}`",
                cache.name,
                human_size(bytes)
            );
            out.push(META.finding(Scanner::Config, Location::path(dir), Some(message)));
        }
    }
}

impl Cache {
    /// The cache directory `path` is in, when it is a cache file of this cache.
    fn dir_of(&self, path: &str) -> Option<String> {
        if self.not_cache.contains(&path) || path.contains("/partial/") {
            return None;
        }
        if self.file_suffix.is_some_and(|s| !path.ends_with(s)) {
            return None;
        }
        // Prefix checks first: this runs for every file of the image.
        let dir_len = match self.dir.strip_prefix("~/") {
            Some(rel) => {
                let home_len = if path.starts_with("root/") {
                    "root/".len()
                } else {
                    let user = path.strip_prefix("home/")?.split('/').next()?;
                    "home/".len() + user.len() + 1
                };
                path.get(home_len..)?
                    .starts_with(rel)
                    .then_some(home_len + rel.len())?
            }
            None => path.starts_with(self.dir).then_some(self.dir.len())?,
        };
        let (dir, rest) = (path.get(..dir_len)?, path.get(dir_len..)?);
        (!rest.is_empty()).then(|| dir.trim_end_matches('/').to_owned())
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: &[&str] = &["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let name = UNITS.get(unit).copied().unwrap_or("B");
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_image_json, layer};
    use kensa_image::LayerIndex;
    use serde_json::json;

    fn check(layers: &[LayerIndex]) -> Vec<Finding> {
        check_image_json(&PackageCaches, json!({}), layers, &[])
    }

    #[test]
    fn fires_per_cache_directory() {
        let f = check(&[layer(&[
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
            "var/cache/apt/archives/curl_7.88.1-10_amd64.deb",
            "var/cache/apk/APKINDEX.5022a8a2.tar.gz",
            "root/.cache/pip/http-v2/a/b/c",
            "home/app/.npm/_cacache/index-v5/00/11",
        ])]);
        let messages: Vec<_> = f.iter().map(|f| f.message.as_deref().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "npm cache: 1 file(s), 10 B in `/home/app/.npm/_cacache`",
                "pip cache: 1 file(s), 10 B in `/root/.cache/pip`",
                "apk cache: 1 file(s), 10 B in `/var/cache/apk`",
                "apt downloaded packages cache: 1 file(s), 10 B in `/var/cache/apt/archives`",
                "apt package lists cache: 2 file(s), 20 B in `/var/lib/apt/lists`",
            ]
        );
        assert_eq!(
            f[0].location.path.as_deref(),
            Some("home/app/.npm/_cacache")
        );
    }

    #[test]
    fn cache_table_is_sorted_by_directory() {
        let dirs: Vec<_> = CACHES.iter().map(|c| c.dir).collect();
        let mut sorted = dirs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(dirs, sorted);
    }

    #[test]
    fn clean_after_cleanup() {
        let f = check(&[layer(&[
            "var/lib/apt/lists/",
            "var/lib/apt/lists/lock",
            "var/lib/apt/lists/partial/",
            "var/cache/apt/archives/lock",
            "var/cache/apt/archives/partial/",
            "var/cache/apk/",
            "root/.cache/",
        ])]);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_cache_removed_in_a_later_layer_is_gone() {
        let install = layer(&["var/lib/apt/lists/x_Packages", "usr/bin/curl"]);
        let cleanup = LayerIndex {
            whiteouts: vec!["var/lib/apt/lists/x_Packages".into()],
            ..LayerIndex::default()
        };
        assert!(check(&[install, cleanup]).is_empty());
        assert_eq!(human_size(3 * 1024 * 1024 + 512 * 1024), "3.5 MiB");
    }
}
