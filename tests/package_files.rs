//! What the Debian package installs beside the binary (issue 15, scripts/package-deb.sh): the
//! desktop entry, the AppStream metainfo and the icons agree with the window's app id; the man
//! pages come from the command line's definitions; the hidden `manpage` command stays out of
//! the completions. scripts/test-package.sh checks the built package itself.
#![cfg(feature = "gui")]

use changetalk::app::identity::{APP_ID, ICON_PNG, window_icon};

mod common;
use common::{root, run, stderr, stdout};

fn packaging(ext: &str) -> String {
    std::fs::read_to_string(root().join("packaging").join(format!("{APP_ID}.{ext}"))).unwrap()
}

/// The value of `key=` in the desktop entry.
fn desktop_key<'a>(desktop: &'a str, key: &str) -> &'a str {
    desktop
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key}= in the desktop entry"))
}

#[test]
fn the_desktop_entry_names_the_window_app_id_as_class_and_icon() {
    let desktop = packaging("desktop");
    assert_eq!(desktop_key(&desktop, "StartupWMClass"), APP_ID);
    assert_eq!(desktop_key(&desktop, "Icon"), APP_ID);
    assert_eq!(desktop_key(&desktop, "Exec"), "changetalk");
    assert_eq!(desktop_key(&desktop, "Terminal"), "false");
}

#[test]
fn the_metainfo_launches_the_desktop_entry_and_shows_the_readme_screenshots() {
    let text = packaging("metainfo.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let child = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name(name))
            .and_then(|n| n.text())
            .unwrap_or_else(|| panic!("no <{name}>"))
    };
    assert_eq!(child("id"), APP_ID);
    assert_eq!(child("launchable"), format!("{APP_ID}.desktop"));
    assert_eq!(child("project_license"), env!("CARGO_PKG_LICENSE"));
    let newest = doc.descendants().find(|n| n.has_tag_name("release"));
    assert_eq!(
        newest.and_then(|n| n.attribute("version")),
        Some(env!("CARGO_PKG_VERSION")),
        "the metainfo's newest <release> is this version"
    );
    let repo = env!("CARGO_PKG_REPOSITORY");
    assert_eq!(repo, "https://github.com/changetalk/changetalk");
    let homepage = doc
        .descendants()
        .find(|n| n.has_tag_name("url") && n.attribute("type") == Some("homepage"))
        .and_then(|n| n.text());
    assert_eq!(homepage, Some(env!("CARGO_PKG_HOMEPAGE")));
    let raw = format!(
        "{}/main/",
        repo.replace("https://github.com/", "https://raw.githubusercontent.com/")
    );
    let images: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("image"))
        .filter_map(|n| n.text())
        .collect();
    assert!(images.len() >= 3, "{images:?}");
    for url in images {
        let path = url
            .strip_prefix(&raw)
            .unwrap_or_else(|| panic!("{url} is not in {raw}"));
        assert!(
            root().join(path).is_file(),
            "{path} is not in the repository"
        );
    }
}

#[test]
fn the_icons_are_rendered_at_their_sizes_and_the_window_uses_the_largest() {
    for size in [48, 128, 256] {
        let path = root().join(format!(
            "assets/icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        ));
        let img = image::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            (img.width(), img.height()),
            (size, size),
            "{}",
            path.display()
        );
    }
    let svg = root().join(format!("assets/icons/hicolor/scalable/apps/{APP_ID}.svg"));
    assert!(std::fs::read_to_string(svg).unwrap().contains("<svg"));
    let embedded = image::load_from_memory(ICON_PNG).unwrap();
    assert_eq!((embedded.width(), embedded.height()), (256, 256));
    window_icon().expect("the window icon decodes");
}

#[test]
fn man_pages_cover_every_command_with_the_help_examples() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(&["manpage", dir.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = stdout(&o);
    assert!(
        listed.lines().next().unwrap().ends_with("changetalk.1"),
        "{listed}"
    );
    for page in [
        "changetalk.1",
        "changetalk-play.1",
        "changetalk-grade.1",
        "changetalk-exercise-run.1",
        "changetalk-class-create.1",
    ] {
        assert!(dir.path().join(page).is_file(), "no {page} in:\n{listed}");
    }
    assert!(!dir.path().join("changetalk-manpage.1").exists());
    assert!(!dir.path().join("changetalk-help.1").exists());
    let main = std::fs::read_to_string(dir.path().join("changetalk.1")).unwrap();
    assert!(main.starts_with(".ie"), "roff");
    assert!(
        main.contains(".SH EXAMPLES") && main.contains(".nf"),
        "{main}"
    );
    assert!(
        main.contains(r"changetalk play court\-ordered\-dui"),
        "{main}"
    );
    // `exercise run --server`, added to the command after the derive, is documented too.
    let run_page = std::fs::read_to_string(dir.path().join("changetalk-exercise-run.1")).unwrap();
    assert!(run_page.contains(r"\-\-server"), "{run_page}");
    // Without a folder: the main page on standard output.
    assert_eq!(stdout(&run(&["manpage"])), main);
}

#[test]
fn the_hidden_manpage_command_is_not_offered() {
    for shell in ["bash", "zsh", "fish"] {
        let text = stdout(&run(&["completions", shell]));
        assert!(!text.contains("manpage"), "{shell} offers `manpage`");
        assert!(text.contains("play"), "{shell}");
    }
    assert!(!stdout(&run(&["--help"])).contains("manpage"));
}
