//! What the browser tests stand on: Chromium and its driver (installed from Debian's packages
//! when missing), one chromedriver for the whole binary, a real server per scenario, and
//! browser sessions that report every console error the page saw.

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// How long a wait for something on the page lasts before the scenario fails.
pub const WAIT: Duration = Duration::from_secs(15);

/// Installs Chromium and chromedriver with apt when either is missing (as root, serialized by a
/// lock so two test runs do not race on dpkg). Never skips: a machine that cannot install them
/// fails here, saying why.
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .context("running `id -u`")?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        bail!(
            "the browser tests need {CHROMIUM} and {CHROMEDRIVER}; install them with \
             `sudo apt-get install -y chromium chromium-driver` (not root, so the tests cannot)"
        );
    }
    eprintln!("browser tests: installing chromium and chromium-driver with apt-get");
    let out = Command::new("flock")
        .args(["/tmp/cliqd-browser-tests-apt.lock", "sh", "-c"])
        .arg(
            "test -x /usr/bin/chromium && test -x /usr/bin/chromedriver || \
             { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }",
        )
        .stdin(Stdio::null())
        .output()
        .context("running apt-get under flock (util-linux)")?;
    if !out.status.success() || !Path::new(CHROMEDRIVER).exists() {
        bail!(
            "installing chromium and chromium-driver failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Which browser the scenarios run in: Chromium (the default, installed when missing), or
/// Firefox when `CLIQD_BROWSER=firefox` (then `firefox-esr` and `geckodriver` must be installed:
/// `apt-get install firefox-esr` and `cargo install geckodriver`; `CLIQD_GECKODRIVER` names the
/// driver when it is not on `PATH`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Chromium,
    Firefox,
}

impl Kind {
    pub fn from_env() -> Result<Kind> {
        match std::env::var("CLIQD_BROWSER").as_deref() {
            Err(_) | Ok("") | Ok("chromium") => Ok(Kind::Chromium),
            Ok("firefox") => Ok(Kind::Firefox),
            Ok(other) => bail!("CLIQD_BROWSER={other}: the browsers are chromium and firefox"),
        }
    }
}

pub const FIREFOX: &str = "/usr/bin/firefox-esr";

/// The WebDriver server of this test binary, stopped when dropped: one chromedriver for every
/// session; geckodriver serves one session at a time, so with Firefox each browser window
/// starts its own (`Browser::open`) and this one only records the choice.
pub struct Driver {
    child: Option<Child>,
    pub url: String,
    pub kind: Kind,
}

impl Driver {
    pub async fn start() -> Result<Driver> {
        let kind = Kind::from_env()?;
        if kind == Kind::Firefox {
            if !Path::new(FIREFOX).exists() {
                bail!("CLIQD_BROWSER=firefox needs {FIREFOX}: apt-get install firefox-esr");
            }
            return Ok(Driver {
                child: None,
                url: String::new(),
                kind,
            });
        }
        Self::spawn(kind).await
    }

    async fn spawn(kind: Kind) -> Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = std::env::temp_dir().join(format!("cliqd-webdriver-{port}.log"));
        let mut cmd = match kind {
            Kind::Chromium => {
                ensure_chromium()?;
                let mut c = Command::new(CHROMEDRIVER);
                c.arg(format!("--port={port}"))
                    .arg(format!("--log-path={}", log.display()));
                c
            }
            Kind::Firefox => {
                let gecko =
                    std::env::var("CLIQD_GECKODRIVER").unwrap_or_else(|_| "geckodriver".into());
                let mut c = Command::new(gecko);
                c.arg(format!("--port={port}"));
                c
            }
        };
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("starting the WebDriver server for {kind:?}"))?;
        let url = format!("http://127.0.0.1:{port}");
        let driver = Driver {
            child: Some(child),
            url,
            kind,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if reqwest::get(format!("{}/status", driver.url)).await.is_ok() {
                return Ok(driver);
            }
            if Instant::now() > deadline {
                bail!(
                    "the WebDriver server did not answer on {} (log: {})",
                    driver.url,
                    log.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One browser window (a WebDriver session with a fresh profile).
pub struct Browser {
    pub client: Client,
    pub base: String,
    _profile: tempfile::TempDir,
    /// This window's own geckodriver (Firefox only).
    _own_driver: Option<Driver>,
}

impl Browser {
    pub async fn open(driver: &Driver, base: &str, width: u32, height: u32) -> Result<Browser> {
        let profile = tempfile::tempdir()?;
        let own_driver = match driver.kind {
            Kind::Firefox => Some(Driver::spawn(Kind::Firefox).await?),
            Kind::Chromium => None,
        };
        let url = own_driver.as_ref().map_or(&driver.url, |d| &d.url).clone();
        let caps = match driver.kind {
            Kind::Chromium => json!({
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                        "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        "--disable-dev-shm-usage", "--enable-precise-memory-info",
                        "--js-flags=--expose-gc",
                        format!("--window-size={width},{height}"),
                        format!("--user-data-dir={}", profile.path().display()),
                    ],
                },
            }),
            // geckodriver makes a fresh profile per session.
            Kind::Firefox => json!({
                "browserName": "firefox",
                "moz:firefoxOptions": {
                    "binary": FIREFOX,
                    "args": ["-headless", format!("--width={width}"), format!("--height={height}")],
                    "prefs": {
                        "app.update.enabled": false,
                        "browser.shell.checkDefaultBrowser": false,
                        "network.captive-portal-service.enabled": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "toolkit.telemetry.enabled": false,
                    },
                },
            }),
        };
        let Value::Object(caps) = caps else {
            bail!("capabilities are an object")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&url)
            .await
            .with_context(|| format!("opening a {:?} session", driver.kind))?;
        Ok(Browser {
            client,
            base: base.to_string(),
            _profile: profile,
            _own_driver: own_driver,
        })
    }

    pub async fn goto(&self, path: &str) -> Result<()> {
        self.client.goto(&format!("{}{path}", self.base)).await?;
        Ok(())
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and answers its return value.
    pub async fn js(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Waits until `css` matches an element.
    pub async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element> {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(e) => Ok(e),
            Err(e) => Err(anyhow!("waiting for `{css}`: {e}; {}", self.state().await)),
        }
    }

    /// What the page shows and logged, for a failure's message.
    async fn state(&self) -> String {
        let text = self
            .js(
                "return document.body ? document.body.innerText.slice(0, 600) : ''",
                vec![],
            )
            .await
            .unwrap_or_default();
        let errors = self.console_errors().await.unwrap_or_default();
        format!("page text: {text}; console errors: {errors:?}")
    }

    /// Waits until `predicate` (a JS expression) is truthy; `what` says what was awaited.
    pub async fn wait_until(&self, predicate: &str, what: &str) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.js(&format!("return !!({predicate});"), vec![]).await?;
            if v == Value::Bool(true) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "timed out waiting until {what} ({predicate}); {}",
                    self.state().await
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// Types into the element `css` (WebDriver key events, as a person would).
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        self.wait_for(css).await?.send_keys(text).await?;
        Ok(())
    }

    /// Number of elements `css` matches.
    pub async fn count(&self, css: &str) -> Result<usize> {
        Ok(self.client.find_all(Locator::Css(css)).await?.len())
    }

    pub async fn text(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Signs in through the page as the demo user with `email` and waits for the chat list.
    pub async fn sign_in_as(&self, email: &str) -> Result<()> {
        self.goto("/").await?;
        self.click(&format!("button.demo-user[data-email='{email}']"))
            .await?;
        self.wait_for(".chat-link[data-chat-name='general' i]")
            .await?;
        Ok(())
    }

    /// Waits until `general` is open and the real-time stream is connected.
    pub async fn open_general(&self) -> Result<()> {
        self.click(".chat-link[data-chat-name='general' i]").await?;
        self.wait_for(".chat .messages").await?;
        self.wait_for(".status-online").await?;
        Ok(())
    }

    /// Presses `keys` (WebDriver key codes: Tab `\u{E004}`, Enter `\u{E007}`, Shift
    /// `\u{E008}`) until the focused element matches `css`, at most `limit` times.
    pub async fn tab_to(&self, keys: &str, css: &str, limit: usize) -> Result<()> {
        let matches =
            format!("!!document.activeElement && document.activeElement.matches(\"{css}\")");
        for _ in 0..limit {
            if self.js(&format!("return {matches}"), vec![]).await? == Value::Bool(true) {
                return Ok(());
            }
            self.client.active_element().await?.send_keys(keys).await?;
        }
        bail!(
            "`{css}` was not reached with the keyboard in {limit} presses; {}",
            self.state().await
        )
    }

    /// Presses `keys` on the focused element.
    pub async fn press(&self, keys: &str) -> Result<()> {
        self.client.active_element().await?.send_keys(keys).await?;
        Ok(())
    }

    /// Console errors, uncaught exceptions and unhandled rejections the page recorded.
    pub async fn console_errors(&self) -> Result<Vec<String>> {
        let v = self
            .js("return window.__cliqdErrors || [];", vec![])
            .await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// Controls on the page that a screen reader could not name (no label, `aria-label`,
    /// `aria-labelledby`, text or title).
    pub async fn unlabelled_controls(&self) -> Result<Vec<String>> {
        let v = self
            .js(
                "return [...document.querySelectorAll('button, input, select, textarea')]
                   .filter(e => e.type !== 'hidden' && e.offsetParent !== null)
                   .filter(e => !((e.labels && e.labels.length) || e.getAttribute('aria-label')
                     || e.getAttribute('aria-labelledby') || e.textContent.trim() || e.title))
                   .map(e => e.outerHTML.slice(0, 120));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// Fails on any console error or unlabelled control, then ends the session.
    pub async fn finish(self) -> Result<()> {
        let errors = self.console_errors().await?;
        let unlabelled = self.unlabelled_controls().await?;
        self.client.close().await?;
        if !errors.is_empty() {
            bail!("the page logged errors: {errors:#?}");
        }
        if !unlabelled.is_empty() {
            bail!("controls without a label: {unlabelled:#?}");
        }
        Ok(())
    }

    /// Saves a screenshot as `NAME.png`: into `docs/web/` when `CLIQD_UPDATE_SCREENSHOTS` is
    /// set (that is how the documentation's pictures are refreshed), else under `target/`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.client.screenshot().await?;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let dir = if std::env::var_os("CLIQD_UPDATE_SCREENSHOTS").is_some() {
            root.join("docs/web")
        } else {
            root.join("target/web-screenshots")
        };
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

/// Asserts `cond`, failing the scenario with `msg`.
pub fn check(cond: bool, msg: impl FnOnce() -> String) -> Result<()> {
    if cond { Ok(()) } else { Err(anyhow!(msg())) }
}
