//! The CLI's settings: the config file (`$XDG_CONFIG_HOME/datafast/config.json`, written 0600),
//! the `DATAFAST_*` environment variables and the global flags, layered flags > env > file >
//! defaults, each value remembering where it came from so `config show` can say.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, CliResult};

/// The base URL when nothing else is set: where `datafast-server` listens by default.
pub const DEFAULT_API_BASE: &str = "http://127.0.0.1:8080";

pub const ENV_TOKEN: &str = "DATAFAST_TOKEN";
pub const ENV_SITE_KEY: &str = "DATAFAST_SITE_KEY";
pub const ENV_API_BASE: &str = "DATAFAST_API_BASE";

/// The config file's JSON. Keys this version does not know are kept when the file is rewritten.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, rename = "siteKey", skip_serializing_if = "Option::is_none")]
    pub site_key: Option<String>,
    #[serde(default, rename = "apiBase", skip_serializing_if = "Option::is_none")]
    pub api_base: Option<String>,
    #[serde(default, rename = "websiteId", skip_serializing_if = "Option::is_none")]
    pub website_id: Option<String>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl FileConfig {
    /// Reads the file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> CliResult<Self> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(CliError::Config(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_json::from_str(&text)
            .map_err(|e| CliError::Config(format!("{} is not valid JSON: {e}", path.display())))
    }

    /// Writes the file readable by its owner only, through a temporary file and a rename so a
    /// crash never leaves half a file, and so the secret is never briefly world-readable.
    pub fn save(&self, path: &Path) -> CliResult<()> {
        let fail =
            |e: std::io::Error| CliError::Config(format!("cannot write {}: {e}", path.display()));
        let folder = path
            .parent()
            .ok_or_else(|| CliError::Config(format!("{} has no folder", path.display())))?;
        create_private_dir(folder).map_err(fail)?;
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| CliError::Config(format!("cannot encode the config: {e}")))?;
        let temporary = folder.join(".config.json.tmp");
        {
            let mut file = open_private(&temporary).map_err(fail)?;
            file.write_all(text.as_bytes()).map_err(fail)?;
            file.write_all(b"\n").map_err(fail)?;
            file.sync_all().map_err(fail)?;
        }
        std::fs::rename(&temporary, path).map_err(fail)?;
        restrict(path).map_err(fail)
    }

    pub fn is_empty(&self) -> bool {
        self.token.is_none()
            && self.site_key.is_none()
            && self.api_base.is_none()
            && self.website_id.is_none()
            && self.other.is_empty()
    }
}

#[cfg(unix)]
fn create_private_dir(folder: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)
}

#[cfg(not(unix))]
fn create_private_dir(folder: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Where the config file lives: `$XDG_CONFIG_HOME/datafast/config.json`, else
/// `$HOME/.config/datafast/config.json`.
pub fn config_path() -> CliResult<PathBuf> {
    let base = match non_empty_env("XDG_CONFIG_HOME") {
        Some(xdg) if Path::new(&xdg).is_absolute() => PathBuf::from(xdg),
        _ => {
            let home = non_empty_env("HOME").ok_or_else(|| {
                CliError::Config("neither XDG_CONFIG_HOME nor HOME is set".to_owned())
            })?;
            PathBuf::from(home).join(".config")
        }
    };
    Ok(base.join("datafast").join("config.json"))
}

/// An environment variable, with an empty value treated as unset.
pub fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where a setting's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    File,
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "flag",
            Self::Env => "environment",
            Self::File => "config file",
            Self::Default => "default",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced {
    pub value: String,
    pub source: Source,
}

/// What the global flags set; `None` leaves the setting to the lower layers.
#[derive(Debug, Clone, Default)]
pub struct FlagSettings {
    pub token: Option<String>,
    pub site_key: Option<String>,
    pub api_base: Option<String>,
}

/// The environment variables, read once so tests can pass their own.
#[derive(Debug, Clone, Default)]
pub struct EnvSettings {
    pub token: Option<String>,
    pub site_key: Option<String>,
    pub api_base: Option<String>,
}

impl EnvSettings {
    pub fn from_process() -> Self {
        Self {
            token: non_empty_env(ENV_TOKEN),
            site_key: non_empty_env(ENV_SITE_KEY),
            api_base: non_empty_env(ENV_API_BASE),
        }
    }
}

/// The settings in force for one run.
#[derive(Debug, Clone)]
pub struct Settings {
    pub path: PathBuf,
    pub file: FileConfig,
    pub token: Option<Sourced>,
    pub site_key: Option<Sourced>,
    pub api_base: Sourced,
    pub website_id: Option<Sourced>,
}

fn pick(flag: &Option<String>, env: &Option<String>, file: &Option<String>) -> Option<Sourced> {
    let clean = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    clean(flag)
        .map(|value| Sourced {
            value,
            source: Source::Flag,
        })
        .or_else(|| {
            clean(env).map(|value| Sourced {
                value,
                source: Source::Env,
            })
        })
        .or_else(|| {
            clean(file).map(|value| Sourced {
                value,
                source: Source::File,
            })
        })
}

impl Settings {
    pub fn resolve(
        path: PathBuf,
        file: FileConfig,
        flags: &FlagSettings,
        env: &EnvSettings,
    ) -> Self {
        let token = pick(&flags.token, &env.token, &file.token);
        let site_key = pick(&flags.site_key, &env.site_key, &file.site_key);
        let api_base = pick(&flags.api_base, &env.api_base, &file.api_base)
            .map(|s| Sourced {
                value: normalize_base(&s.value),
                source: s.source,
            })
            .unwrap_or_else(|| Sourced {
                value: DEFAULT_API_BASE.to_owned(),
                source: Source::Default,
            });
        let website_id = pick(&None, &None, &file.website_id);
        Self {
            path,
            file,
            token,
            site_key,
            api_base,
            website_id,
        }
    }

    pub fn load(flags: &FlagSettings) -> CliResult<Self> {
        let path = config_path()?;
        let file = FileConfig::load(&path)?;
        Ok(Self::resolve(
            path,
            file,
            flags,
            &EnvSettings::from_process(),
        ))
    }
}

/// The origin the CLI appends `/api/v1/...` to: a trailing slash, or a pasted `/api/v1`, is
/// dropped so both `http://host:8080` and `http://host:8080/api/v1/` work.
pub fn normalize_base(base: &str) -> String {
    let mut base = base.trim().trim_end_matches('/').to_owned();
    for suffix in ["/api/v1/admin", "/api/v1"] {
        if let Some(stripped) = base.strip_suffix(suffix) {
            base = stripped.trim_end_matches('/').to_owned();
            break;
        }
    }
    base
}

/// Shows enough of a secret to recognise it, never enough to use it.
pub fn mask_secret(secret: &str) -> String {
    let (prefix, rest) = match secret.find('_') {
        Some(i) => secret.split_at(i + 1),
        None => ("", secret),
    };
    let chars: Vec<char> = rest.chars().collect();
    if chars.len() <= 8 {
        return format!("{prefix}****");
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(s: &str) -> Option<String> {
        Some(s.to_owned())
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file = FileConfig {
            token: some("dft_file"),
            site_key: some("df_file"),
            api_base: some("http://file:1"),
            website_id: some("abc"),
            ..FileConfig::default()
        };
        let env = EnvSettings {
            token: some("dft_env"),
            site_key: None,
            api_base: some("http://env:2/"),
        };
        let flags = FlagSettings {
            token: some("dft_flag"),
            ..FlagSettings::default()
        };
        let settings = Settings::resolve(PathBuf::from("x"), file, &flags, &env);
        assert_eq!(
            settings.token.as_ref().map(|t| t.value.as_str()),
            Some("dft_flag")
        );
        assert_eq!(settings.token.map(|t| t.source), Some(Source::Flag));
        assert_eq!(settings.site_key.map(|t| t.source), Some(Source::File));
        assert_eq!(settings.api_base.value, "http://env:2");
        assert_eq!(settings.api_base.source, Source::Env);
        let bare = Settings::resolve(
            PathBuf::from("x"),
            FileConfig::default(),
            &FlagSettings::default(),
            &EnvSettings::default(),
        );
        assert_eq!(bare.api_base.value, DEFAULT_API_BASE);
        assert_eq!(bare.api_base.source, Source::Default);
        assert!(bare.token.is_none());
    }

    #[test]
    fn base_urls_lose_trailing_slashes_and_api_paths() {
        assert_eq!(normalize_base("http://h:1/"), "http://h:1");
        assert_eq!(normalize_base("http://h:1/api/v1/"), "http://h:1");
        assert_eq!(normalize_base("https://h/api/v1/admin"), "https://h");
        assert_eq!(normalize_base("https://h/prefix"), "https://h/prefix");
    }

    #[test]
    fn masking_keeps_prefix_and_ends_only() {
        let token = format!("dft_{}", "a1b2c3d4".repeat(8));
        let masked = mask_secret(&token);
        assert_eq!(masked, "dft_a1b2...c3d4");
        assert!(!masked.contains(&token[4..20]));
        assert_eq!(mask_secret("df_short"), "df_****");
    }

    #[test]
    fn unknown_keys_survive_a_rewrite() {
        let folder = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = folder.path().join("datafast").join("config.json");
        std::fs::create_dir_all(path.parent().unwrap_or(folder.path()))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&path, r#"{"token":"dft_x","theme":"dark"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut config = FileConfig::load(&path).unwrap_or_else(|e| panic!("{e}"));
        config.website_id = some("w");
        config.save(&path).unwrap_or_else(|e| panic!("{e}"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains("\"theme\": \"dark\""), "{text}");
        assert!(text.contains("\"websiteId\": \"w\""), "{text}");
    }
}
