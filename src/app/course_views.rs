//! The course cards' and briefings' views of every course in the library
//! ([`CourseViews`]), worked out when the library or the progress changes.

use std::sync::Arc;

use changetalk_core::Scenario;

use crate::app::course::{CourseView, course_key, saved_view};

/// Where each course of the library stands, by its progress key: worked out once when the
/// library or the progress changes (a view replays the course), not on every frame the
/// library card or the briefing is drawn.
#[derive(bevy::prelude::Resource, Debug, Clone, Default)]
pub struct CourseViews(pub std::collections::BTreeMap<String, CourseView>);

impl CourseViews {
    /// The views of every course in `catalog` as `progress` saved them.
    pub fn of(
        catalog: &[crate::library::Entry],
        progress: &crate::app::settings::Progress,
    ) -> CourseViews {
        let views = catalog
            .iter()
            .filter_map(|e| {
                let s = e.playable().filter(|s| s.is_course())?;
                let key = e.progress_key()?;
                let view = saved_view(s, progress.courses.get(&key));
                Some((key, view))
            })
            .collect();
        CourseViews(views)
    }

    /// The view of `scenario`'s course (as a card of `catalog`).
    pub fn get(
        &self,
        catalog: &[crate::library::Entry],
        scenario: &Arc<Scenario>,
    ) -> Option<&CourseView> {
        self.0.get(&course_key(catalog, scenario))
    }
}

/// Keeps [`CourseViews`] up to date.
fn refresh_views(
    catalog: bevy::prelude::Res<crate::app::state::Catalog>,
    progress: bevy::prelude::Res<crate::app::settings::Progress>,
    mut views: bevy::prelude::ResMut<CourseViews>,
) {
    use bevy::prelude::DetectChanges;
    if catalog.is_changed() || progress.is_changed() {
        *views = CourseViews::of(&catalog.0, &progress);
    }
}

/// Registers the course views.
pub fn plugin(app: &mut bevy::prelude::App) {
    use bevy::prelude::*;
    app.init_resource::<CourseViews>()
        .add_systems(Update, refresh_views.after(crate::app::state::FlowSet));
}
