//! DL3026: Base image from a registry that is not trusted.

use kensa_core::{Section, Severity};

use crate::parse::{ImageRef, Keyword};
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3026;

static META: RuleMeta = RuleMeta {
    id: "DL3026",
    title: "Base image from a registry that is not trusted",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Images from registries outside the allowed list have not been vetted; they are the usual path for untrusted or typo-squatted code into a build."#,
    fix: r#"Use only an allowed registry in the `FROM` image (configure `trusted_registries`), or add the registry to the list after review."#,
    links: wiki!("DL3026"),
};

impl DockerfileRule for Dl3026 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        if ctx.config.trusted_registries.is_empty() {
            return;
        }
        let mut aliases: Vec<&str> = Vec::new();
        let trusted = |image: &ImageRef, aliases: &[&str]| {
            if image.registry.is_none()
                && (image.name == "scratch" || aliases.contains(&image.name.as_str()))
            {
                return true;
            }
            match &image.registry {
                Some(r) => ctx.config.registry_trusted(r),
                None => {
                    ctx.config.registry_trusted("docker.io")
                        || ctx.config.registry_trusted("hub.docker.com")
                }
            }
        };
        for inst in &ctx.file.instructions {
            match inst.keyword {
                Keyword::From => {
                    let Some(stage) = inst.stage.and_then(|s| ctx.file.stages.get(s)) else {
                        continue;
                    };
                    if !stage.unresolved && !trusted(&stage.image, &aliases) {
                        out.push(Hit::msg(
                            inst,
                            format!("`{}` is not from a trusted registry", stage.image_raw),
                        ));
                    }
                    if let Some(a) = &stage.alias {
                        aliases.push(a);
                    }
                }
                Keyword::Copy => {
                    if let Some(Some(from)) = inst.flag("from") {
                        let image = ImageRef::parse(from);
                        let is_index = from.parse::<usize>().is_ok();
                        if !is_index
                            && !trusted(&image, &aliases)
                            && !aliases.contains(&from.to_ascii_lowercase().as_str())
                        {
                            out.push(Hit::msg(
                                inst,
                                format!("`--from={from}` is not from a trusted registry"),
                            ));
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    use crate::LintConfig;
    use crate::rules::lines_with;

    fn cfg() -> LintConfig {
        LintConfig {
            trusted_registries: vec!["docker.io".into(), "*.corp.example".into()],
            ..LintConfig::default()
        }
    }

    #[test]
    fn fires_on_untrusted_registry() {
        assert_eq!(
            lines_with(
                &Dl3026,
                "FROM quay.io/org/app:1\nCOPY --from=ghcr.io/x/y:1 /a /a\n",
                &cfg()
            ),
            vec![1, 2]
        );
    }

    #[test]
    fn trusted_hub_alias_and_scratch_are_clean() {
        let src = "FROM registry.corp.example/base:1 AS b\nFROM debian:12\nFROM b\nFROM scratch\nCOPY --from=b /a /a\n";
        assert!(lines_with(&Dl3026, src, &cfg()).is_empty());
    }

    #[test]
    fn no_configuration_allows_everything() {
        assert!(lines(&Dl3026, "FROM quay.io/org/app:1\n").is_empty());
    }
}
