//! How the desktop knows the app: its app id and its window icon.
//!
//! The app id is the window's Wayland `app_id` and X11 `WM_CLASS`; desktops match it to the
//! installed `io.github.changetalk.changetalk.desktop` (its `StartupWMClass`) for the dock's
//! icon and name. X11 also shows the icon set on the window itself; Wayland has no such call
//! and takes the icon from the `.desktop` file, which is why both are set.

use bevy::ecs::system::NonSendMarker;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use bevy::winit::WINIT_WINDOWS;

/// The app id: the name of the `.desktop` file, the AppStream id and the icon's name.
pub const APP_ID: &str = "io.github.changetalk.changetalk";

/// The icon at 256 px, rendered from its SVG by `scripts/render-icons.sh`.
pub const ICON_PNG: &[u8] =
    include_bytes!("../../assets/icons/hicolor/256x256/apps/io.github.changetalk.changetalk.png");

/// The window icon, decoded from [`ICON_PNG`].
pub fn window_icon() -> Result<winit::window::Icon, String> {
    let img = image::load_from_memory_with_format(ICON_PNG, image::ImageFormat::Png)
        .map_err(|e| e.to_string())?
        .into_rgba8();
    let (w, h) = img.dimensions();
    winit::window::Icon::from_rgba(img.into_raw(), w, h).map_err(|e| e.to_string())
}

/// Sets the icon on the primary window once winit has made it (a frame or two after start).
/// Runs on the main thread, where winit's windows live.
fn set_window_icon(
    mut done: Local<bool>,
    window: Query<Entity, With<PrimaryWindow>>,
    _main_thread: NonSendMarker,
) {
    if *done {
        return;
    }
    let Ok(entity) = window.single() else {
        return;
    };
    WINIT_WINDOWS.with_borrow(|windows| {
        let Some(winit_window) = windows.get_window(entity) else {
            return;
        };
        *done = true;
        match window_icon() {
            Ok(icon) => winit_window.set_window_icon(Some(icon)),
            Err(e) => warn!("the window icon could not be set: {e}"),
        }
    });
}

/// Sets the window icon.
pub fn plugin(app: &mut App) {
    app.add_systems(Update, set_window_icon);
}
