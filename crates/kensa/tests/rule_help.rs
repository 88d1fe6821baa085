//! `kensa rule ID`: one help per family, read from the scan's rule registry, as a user
//! sees it (exit status, stdout, stderr).

use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

fn rule(id: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.args(["rule", id]).env("NO_COLOR", "1");
    cmd
}

#[test]
fn explains_an_image_rule_in_any_case() {
    assert_cmd_snapshot!("image_rule", rule("ks-img-001"));
}

#[test]
fn explains_a_dockerfile_rule_with_its_details_and_link() {
    assert_cmd_snapshot!("dockerfile_rule", rule("DL3057"));
}

#[test]
fn an_alias_explains_the_rule_that_answers_to_it() {
    assert_cmd_snapshot!("alias_rule", rule("dl3064"));
}

#[test]
fn explains_a_secret_rule_with_its_keywords() {
    assert_cmd_snapshot!("secret_rule", rule("aws-access-key-id"));
}

#[test]
fn an_unknown_rule_is_an_error() {
    assert_cmd_snapshot!("unknown_rule", rule("NOPE-1"));
}

#[test]
fn help_of_the_rule_command() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.args(["rule", "--help"]).env("NO_COLOR", "1");
    assert_cmd_snapshot!("help_rule", cmd);
}
