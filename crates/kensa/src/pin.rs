//! `kensa pin`: flags to a registry resolver, then kensa-pin's plan for each file,
//! written back or printed as a diff.

use anyhow::Result;
use kensa_pin::{FilePlan, Kind, RegistryResolver};

use crate::ExitStatus;
use crate::cli::PinArgs;

/// Plans every file before writing any, so an unresolvable reference in the last file
/// leaves the first ones untouched too.
pub(crate) fn run(args: &PinArgs) -> Result<ExitStatus> {
    let options = crate::config::registry_options(&args.registry, args.config.as_deref())?;
    if options.insecure {
        crate::warn(
            "`--insecure`: talking plain HTTP to the registry; anyone on the path can alter the digests written",
        );
    }
    let resolver = RegistryResolver::new(options)?;
    let mut plans: Vec<FilePlan> = Vec::new();
    for path in &args.files {
        let text = kensa_pin::read_file(path)?;
        let file = path.display().to_string();
        plans.push(kensa_pin::plan(&file, Kind::of(path), &text, &resolver)?);
    }
    for plan in &plans {
        for s in &plan.skipped {
            note(&format!(
                "{}:{}: `{}` left alone: it {}",
                plan.file, s.line, s.reference, s.why
            ));
        }
    }
    let mut out = String::new();
    if args.dry_run {
        for plan in &plans {
            out.push_str(&plan.diff());
        }
    } else {
        let mut pinned = 0;
        for (path, plan) in args.files.iter().zip(&plans) {
            if !plan.changed() {
                continue;
            }
            plan.write(path)?;
            for edit in &plan.edits {
                pinned += 1;
                out.push_str(&format!(
                    "{}:{}: `{}` -> `{}`\n",
                    plan.file, edit.line, edit.from, edit.to
                ));
            }
        }
        let files = plans.iter().filter(|p| p.changed()).count();
        out.push_str(&format!("pinned {pinned} references in {files} files\n"));
    }
    crate::write_stdout(&out)?;
    Ok(ExitStatus::Clean)
}

#[expect(clippy::print_stderr, reason = "notes go to stderr, beside the diff")]
fn note(message: &str) {
    eprintln!("note: {message}");
}
