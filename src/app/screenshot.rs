//! `gui --screenshot OUT.png`: render the requested screen in a real window, write it to a
//! PNG and exit.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy_egui::{EguiContexts, egui};

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
    /// Also write every widget's rectangle here, as JSON (for the layout tests).
    pub layout: Option<PathBuf>,
}

/// Frames to let egui lay out and the renderer warm up before capturing.
const WARMUP_FRAMES: u32 = 12;
/// Give up after this many frames.
const TIMEOUT_FRAMES: u32 = 1200;

fn step(
    mut commands: Commands,
    mut mode: ResMut<ScreenshotMode>,
    mut exit: MessageWriter<AppExit>,
    mut contexts: EguiContexts,
    outputs: Query<&bevy_egui::EguiOutput>,
    class: Option<Res<super::class::ClassRun>>,
) {
    // A class server's answer on its way: the screen is not ready yet (the client gives up
    // within its retry time, so this ends).
    if class.is_some_and(|c| c.pending().is_some()) {
        mode.frames = mode.frames.min(1);
    }
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
        if let Some(path) = mode.layout.clone()
            && let Ok(ctx) = contexts.ctx_mut()
            && let Err(e) = crate::files::write_atomic(
                &path,
                layout_json(ctx, outputs.iter().next()).as_bytes(),
            )
        {
            eprintln!("error: {e}");
            exit.write(AppExit::from_code(1));
            return;
        }
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

/// Every widget of the frame just drawn (its type, label, full and visible rectangle, and
/// layer), with the window's size, as JSON: what the layout tests check for overlaps and
/// text cut off at an edge.
///
/// A widget's role and name come from the frame's AccessKit tree (what a screen reader gets).
fn layout_json(ctx: &egui::Context, output: Option<&bevy_egui::EguiOutput>) -> String {
    use std::collections::HashMap;
    let screen = ctx.content_rect();
    let rect = |r: egui::Rect| [r.min.x, r.min.y, r.max.x, r.max.y];
    let nodes: HashMap<u64, (String, Option<String>)> = output
        .and_then(|o| o.platform_output.accesskit_update.as_ref())
        .map(|u| {
            u.nodes
                .iter()
                .map(|(id, n)| {
                    let name = n.label().or(n.value()).map(str::to_string);
                    (id.0, (format!("{:?}", n.role()), name))
                })
                .collect()
        })
        .unwrap_or_default();
    let widgets: Vec<serde_json::Value> = ctx.viewport(|v| {
        let w = &v.this_pass.widgets;
        w.layers()
            .flat_map(|(layer, rects)| rects.iter().map(move |r| (layer, r)))
            .map(|(layer, r)| {
                let node = nodes.get(&r.id.value());
                serde_json::json!({
                    "role": node.map(|n| n.0.clone()),
                    "label": node.and_then(|n| n.1.clone()),
                    "rect": rect(r.rect),
                    "visible": rect(r.interact_rect),
                    "order": format!("{:?}", layer.order),
                    "layer": format!("{:?}", layer.id),
                    "clickable": r.sense.senses_click(),
                    "focusable": r.sense.is_focusable(),
                    "tab_stop": r.enabled && r.sense.is_focusable(),
                })
            })
            .collect()
    });
    serde_json::json!({
        "window": [screen.width(), screen.height()],
        "text_size": ctx.global_style().text_styles[&egui::TextStyle::Body].size / 16.0,
        "widgets": widgets,
    })
    .to_string()
}

/// Makes the app capture one frame to `path` and exit; with `layout`, also the frame's
/// widget rectangles as JSON.
pub fn install(app: &mut App, path: PathBuf, layout: Option<PathBuf>) {
    app.insert_resource(ScreenshotMode {
        path,
        frames: 0,
        requested: false,
        done: None,
        layout,
    });
    // Keep frames coming until the capture is written.
    app.world_mut()
        .get_resource_or_insert_with(Redraw::default)
        .continuous = true;
    if app.world().resource::<ScreenshotMode>().layout.is_some() {
        // The layout names each widget from the AccessKit tree, so build it even when no
        // screen reader asked for it.
        app.add_systems(
            bevy_egui::EguiPrimaryContextPass,
            |mut contexts: EguiContexts| {
                if let Ok(ctx) = contexts.ctx_mut() {
                    ctx.enable_accesskit();
                }
            },
        );
    }
    app.add_systems(Last, step);
}
