//! The countermeasure sections of NIST SP 800-190 (section 4) a finding answers.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! sections {
    ($($variant:ident => $code:literal, $title:literal;)*) => {
        /// A subsection of NIST SP 800-190 section 4 ("Countermeasures for major risks").
        ///
        /// Every finding names one, so a report also reads as a coverage statement
        /// against the guide.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Section {
            $(
                #[doc = $title]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl Section {
            /// Every section, in the guide's order.
            pub const ALL: &'static [Section] = &[$(Section::$variant),*];

            /// The section number, e.g. `4.1.1`.
            pub fn code(self) -> &'static str {
                match self { $(Section::$variant => $code),* }
            }

            /// The guide's title of the section.
            pub fn title(self) -> &'static str {
                match self { $(Section::$variant => $title),* }
            }
        }
    };
}

sections! {
    ImageVulnerabilities => "4.1.1", "Image vulnerabilities";
    ImageConfigurationDefects => "4.1.2", "Image configuration defects";
    EmbeddedMalware => "4.1.3", "Embedded malware";
    EmbeddedClearTextSecrets => "4.1.4", "Embedded clear text secrets";
    UntrustedImages => "4.1.5", "Use of untrusted images";
    InsecureRegistryConnections => "4.2.1", "Insecure connections to registries";
    StaleRegistryImages => "4.2.2", "Stale images in registries";
    RegistryAuth => "4.2.3", "Insufficient authentication and authorization restrictions";
    UnboundedAdminAccess => "4.3.1", "Unbounded administrative access";
    OrchestratorUnauthorizedAccess => "4.3.2", "Unauthorized access";
    InterContainerTraffic => "4.3.3", "Poorly separated inter-container network traffic";
    MixedWorkloadSensitivity => "4.3.4", "Mixing of workload sensitivity levels";
    OrchestratorNodeTrust => "4.3.5", "Orchestrator node trust";
    RuntimeVulnerabilities => "4.4.1", "Vulnerabilities within the runtime software";
    UnboundedNetworkAccess => "4.4.2", "Unbounded network access from containers";
    InsecureRuntimeConfig => "4.4.3", "Insecure container runtime configurations";
    AppVulnerabilities => "4.4.4", "App vulnerabilities";
    RogueContainers => "4.4.5", "Rogue containers";
    HostAttackSurface => "4.5.1", "Large attack surface";
    SharedKernel => "4.5.2", "Shared kernel";
    HostComponentVulnerabilities => "4.5.3", "Host OS component vulnerabilities";
    HostUserAccess => "4.5.4", "Improper user access rights";
    HostFilesystemTampering => "4.5.5", "Host OS file system tampering";
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_order() {
        let codes: Vec<_> = Section::ALL.iter().map(|s| s.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn serializes_as_code() {
        assert_eq!(
            serde_json::to_string(&Section::EmbeddedClearTextSecrets).unwrap(),
            "\"4.1.4\""
        );
    }
}
