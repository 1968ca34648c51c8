//! The face's shapes, built from the client's look: shoulders, head, hair, eyes, brows,
//! mouth; the parts that move are marked with their [`Part`].

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use changetalk_core::engine::model::{Face, HairStyle};

use super::{EYE_X, EYE_Y, FaceRoot, MOUTH_SEGMENTS, Part, ShownClient};

fn hex(c: &str) -> Color {
    let v = u32::from_str_radix(c.trim_start_matches('#'), 16).unwrap_or(0x808080);
    Color::srgb_u8((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

fn darker(c: Color, f: f32) -> Color {
    let s = c.to_srgba();
    Color::srgb(s.red * f, s.green * f, s.blue * f)
}

/// The look the face was last built for.
#[derive(Resource, Default)]
pub(super) struct BuiltFor(Option<Face>);

/// Where the face's shapes and colours go.
#[derive(SystemParam)]
pub(super) struct Shapes<'w> {
    meshes: ResMut<'w, Assets<Mesh>>,
    materials: ResMut<'w, Assets<ColorMaterial>>,
}

/// Builds the face for the client shown (again when the client changes).
pub(super) fn build_face(
    mut commands: Commands,
    client: ShownClient,
    mut built: ResMut<BuiltFor>,
    roots: Query<Entity, With<FaceRoot>>,
    shapes: Shapes,
) {
    let Some(look) = client.look() else {
        return;
    };
    if built.0.as_ref() == Some(look) && !roots.is_empty() {
        return;
    }
    for e in &roots {
        commands.entity(e).despawn();
    }
    built.0 = Some(look.clone());
    let Shapes {
        mut meshes,
        mut materials,
    } = shapes;
    let skin = hex(&look.skin);
    let hair = hex(&look.hair);
    let eyes = hex(&look.eyes);
    let mut mat = |c: Color| materials.add(ColorMaterial::from_color(c));
    let shirt = mat(Color::srgb(0.33, 0.42, 0.55));
    let skin_m = mat(skin);
    let skin_shadow = mat(darker(skin, 0.86));
    let hair_m = mat(hair);
    let white = mat(Color::srgb(0.97, 0.97, 0.96));
    let iris_m = mat(eyes);
    let pupil = mat(Color::srgb(0.06, 0.06, 0.08));
    let brow_m = mat(darker(hair, 0.8));
    let lip = mat(Color::srgb(0.55, 0.25, 0.25));
    let line_m = mat(darker(skin, 0.72));
    let flush_m = mat(Color::srgba(0.85, 0.2, 0.2, 0.0));
    let frame_m = mat(Color::srgb(0.15, 0.15, 0.18));

    let mut shape = |m: Mesh| meshes.add(m);
    let root = commands
        .spawn((
            FaceRoot,
            Transform::default(),
            Visibility::Hidden,
            Name::new("face"),
        ))
        .id();
    let child = |commands: &mut Commands,
                 mesh: Handle<Mesh>,
                 material: Handle<ColorMaterial>,
                 pos: Vec3,
                 part: Part,
                 parent: Entity| {
        let e = commands
            .spawn((
                Mesh2d(mesh),
                MeshMaterial2d(material),
                Transform::from_translation(pos),
                part,
            ))
            .id();
        commands.entity(parent).add_child(e);
        e
    };
    // Shoulders and neck (not part of the head group, so the head can tilt over them).
    child(
        &mut commands,
        shape(Ellipse::new(165.0, 95.0).into()),
        shirt.clone(),
        Vec3::new(0.0, -205.0, 0.0),
        Part::Fixed,
        root,
    );
    child(
        &mut commands,
        shape(Rectangle::new(62.0, 70.0).into()),
        skin_shadow.clone(),
        Vec3::new(0.0, -120.0, 0.1),
        Part::Fixed,
        root,
    );
    let head = commands
        .spawn((Transform::default(), Visibility::Inherited, Part::Head))
        .id();
    commands.entity(root).add_child(head);
    // Hair behind the head.
    match look.hair_style {
        HairStyle::Long => {
            child(
                &mut commands,
                shape(Ellipse::new(100.0, 140.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, -20.0, 0.2),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Curly => {
            for (x, y, r) in [
                (-70.0, 60.0, 42.0),
                (70.0, 60.0, 42.0),
                (-40.0, 95.0, 45.0),
                (40.0, 95.0, 45.0),
                (0.0, 110.0, 45.0),
                (-85.0, 20.0, 34.0),
                (85.0, 20.0, 34.0),
            ] {
                child(
                    &mut commands,
                    shape(Circle::new(r).into()),
                    hair_m.clone(),
                    Vec3::new(x, y, 0.2),
                    Part::Fixed,
                    head,
                );
            }
        }
        HairStyle::Bun => {
            child(
                &mut commands,
                shape(Circle::new(38.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, 128.0, 0.2),
                Part::Fixed,
                head,
            );
        }
        _ => {}
    }
    // Ears and head.
    for side in [-1.0, 1.0] {
        child(
            &mut commands,
            shape(Ellipse::new(16.0, 26.0).into()),
            skin_shadow.clone(),
            Vec3::new(side * 82.0, 8.0, 0.3),
            Part::Fixed,
            head,
        );
    }
    child(
        &mut commands,
        shape(Ellipse::new(84.0, 108.0).into()),
        skin_m.clone(),
        Vec3::new(0.0, 0.0, 0.4),
        Part::Fixed,
        head,
    );
    // Hair on top.
    match look.hair_style {
        HairStyle::Short | HairStyle::Long | HairStyle::Bun | HairStyle::Curly => {
            child(
                &mut commands,
                shape(Ellipse::new(86.0, 50.0).into()),
                hair_m.clone(),
                Vec3::new(0.0, 78.0, 0.5),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Buzz => {
            let buzz = materials.add(ColorMaterial::from_color(hair.with_alpha(0.55)));
            child(
                &mut commands,
                shape(Ellipse::new(82.0, 42.0).into()),
                buzz,
                Vec3::new(0.0, 80.0, 0.5),
                Part::Fixed,
                head,
            );
        }
        HairStyle::Bald => {}
    }
    // The forehead: an arch of skin over the hair's lower edge, so the hairline sits above
    // the brows and a brow is never lost against dark hair (the brows carry most of the
    // expression).
    if look.hair_style != HairStyle::Bald {
        child(
            &mut commands,
            shape(Ellipse::new(60.0, 34.0).into()),
            skin_m.clone(),
            Vec3::new(0.0, 40.0, 0.52),
            Part::Fixed,
            head,
        );
    }
    // Age lines on the forehead, above the brows.
    for i in 0..look.lines.min(3) {
        let y = 64.0 - i as f32 * 5.0;
        let line = child(
            &mut commands,
            shape(Capsule2d::new(1.3, 46.0).into()),
            line_m.clone(),
            Vec3::new(0.0, y, 0.55),
            Part::Fixed,
            head,
        );
        commands.entity(line).insert(
            Transform::from_xyz(0.0, y, 0.55)
                .with_rotation(Quat::from_rotation_z(std::f32::consts::FRAC_PI_2)),
        );
    }
    // Beard under the mouth.
    if look.beard {
        child(
            &mut commands,
            shape(Ellipse::new(64.0, 44.0).into()),
            hair_m.clone(),
            Vec3::new(0.0, -72.0, 0.55),
            Part::Fixed,
            head,
        );
    }
    // Cheek flush.
    for side in [-1.0, 1.0] {
        child(
            &mut commands,
            shape(Circle::new(17.0).into()),
            flush_m.clone(),
            Vec3::new(side * 48.0, -22.0, 0.56),
            Part::Flush,
            head,
        );
    }
    // Nose.
    child(
        &mut commands,
        shape(Ellipse::new(10.0, 16.0).into()),
        skin_shadow.clone(),
        Vec3::new(0.0, -12.0, 0.6),
        Part::Fixed,
        head,
    );
    for side in [-1.0, 1.0] {
        // Eye white, iris+pupil, lid (skin, above the eye: invisible outside the eye), lash line.
        child(
            &mut commands,
            shape(Ellipse::new(17.0, 10.5).into()),
            white.clone(),
            Vec3::new(side * EYE_X, EYE_Y, 0.6),
            Part::Fixed,
            head,
        );
        let iris = child(
            &mut commands,
            shape(Circle::new(7.5).into()),
            iris_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y, 0.7),
            Part::Iris(side),
            head,
        );
        let p = commands
            .spawn((
                Mesh2d(shape(Circle::new(3.6).into())),
                MeshMaterial2d(pupil.clone()),
                Transform::from_xyz(0.0, 0.0, 0.05),
            ))
            .id();
        commands.entity(iris).add_child(p);
        child(
            &mut commands,
            shape(Rectangle::new(40.0, 24.0).into()),
            skin_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y + 22.0, 0.8),
            Part::Lid(side),
            head,
        );
        child(
            &mut commands,
            shape(Capsule2d::new(2.4, 30.0).into()),
            brow_m.clone(),
            Vec3::new(side * EYE_X, EYE_Y + 24.0, 0.9),
            Part::Brow(side),
            head,
        );
        if look.glasses {
            child(
                &mut commands,
                shape(Annulus::new(19.0, 22.5).into()),
                frame_m.clone(),
                Vec3::new(side * EYE_X, EYE_Y, 0.95),
                Part::Fixed,
                head,
            );
        }
    }
    if look.glasses {
        child(
            &mut commands,
            shape(Rectangle::new(16.0, 3.0).into()),
            frame_m.clone(),
            Vec3::new(0.0, EYE_Y + 2.0, 0.95),
            Part::Fixed,
            head,
        );
    }
    // Mouth: overlapping rounded segments along a curve.
    for i in 0..MOUTH_SEGMENTS {
        child(
            &mut commands,
            shape(Capsule2d::new(3.2, 9.0).into()),
            lip.clone(),
            Vec3::new(0.0, -52.0, 0.9),
            Part::Mouth(i),
            head,
        );
    }
}
