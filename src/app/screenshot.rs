//! `gui --screenshot OUT.png`: render the requested screen in a real window, write it to a
//! PNG and exit.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};

use super::low_power::Redraw;

/// Present while the app runs only to take a screenshot; the face then holds still.
#[derive(Resource, Debug, Clone)]
pub struct ScreenshotMode {
    /// Where to write the PNG.
    pub path: PathBuf,
    frames: u32,
    requested: bool,
    /// Set once the file is written (Ok) or failed (Err).
    done: Option<Result<(), crate::files::FileError>>,
}

/// Frames to let egui lay out and the renderer warm up before capturing.
const WARMUP_FRAMES: u32 = 12;
/// Give up after this many frames.
const TIMEOUT_FRAMES: u32 = 1200;

fn step(
    mut commands: Commands,
    mut mode: ResMut<ScreenshotMode>,
    mut exit: MessageWriter<AppExit>,
) {
    mode.frames += 1;
    if let Some(done) = mode.done.take() {
        match done {
            Ok(()) => {
                exit.write(AppExit::Success);
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit.write(AppExit::from_code(1));
            }
        }
        return;
    }
    if !mode.requested && mode.frames >= WARMUP_FRAMES {
        mode.requested = true;
        commands.spawn(Screenshot::primary_window()).observe(save);
    }
    if mode.frames > TIMEOUT_FRAMES {
        eprintln!("error: no frame was captured; is a display (or Xvfb) available?");
        exit.write(AppExit::from_code(1));
    }
}

fn save(captured: On<ScreenshotCaptured>, mut mode: ResMut<ScreenshotMode>) {
    let path = mode.path.clone();
    let result = match captured.image.clone().try_into_dynamic() {
        Ok(img) => {
            let rgb = img.to_rgb8();
            let mut bytes = Vec::new();
            match rgb.write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            ) {
                Ok(()) => crate::files::write_atomic(&path, &bytes),
                Err(e) => Err(crate::files::FileError::file(
                    &path,
                    format!("cannot encode PNG: {e}"),
                )),
            }
        }
        Err(e) => Err(crate::files::FileError::file(
            &path,
            format!("cannot read the captured frame: {e:?}"),
        )),
    };
    mode.done = Some(result);
}

/// Makes the app capture one frame to `path` and exit.
pub fn install(app: &mut App, path: PathBuf) {
    app.insert_resource(ScreenshotMode {
        path,
        frames: 0,
        requested: false,
        done: None,
    });
    // Keep frames coming until the capture is written.
    app.world_mut()
        .get_resource_or_insert_with(Redraw::default)
        .continuous = true;
    app.add_systems(Last, step);
}
