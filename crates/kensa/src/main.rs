//! The kensa command line.

fn main() {}
