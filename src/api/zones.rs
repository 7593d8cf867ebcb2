//! Training paces, race predictions and heart-rate zones: a thin handler
//! over `domain::zones`, which holds the equations.

use actix_web::{HttpResponse, post};

use crate::domain::zones::{Zones, ZonesRequest, zones};
use crate::error::{ApiError, Problem};
use crate::http::extract::JsonBody;

/// Paces, race predictions and heart-rate zones.
///
/// **Paces** follow Daniels' VDOT model from a recent race of
/// `distance_km` in `time_s` (1.5–42.2 km). With the speed `v` in m/min
/// and the race time `t` in minutes, the oxygen cost of running is
/// `VO2(v) = −4.60 + 0.182258·v + 0.000104·v²` and the share of VO2max
/// that can be held for `t` minutes is
/// `F(t) = 0.8 + 0.1894393·e^(−0.012778·t) + 0.2989558·e^(−0.1932605·t)`;
/// `VDOT = VO2(d/t) / F(t)` (a 5 km in 24:34 gives 39.1). Training paces
/// are the speeds whose cost is a share of VDOT: easy 59–74%, threshold
/// 83–88%, interval 95–100%; marathon pace is the predicted marathon pace
/// and repetition pace the predicted 1500 m to mile pace. **Race
/// predictions** solve `VO2(d/t) = VDOT·F(t)` for `t` at 5 km, 10 km, the
/// half and the marathon.
///
/// **Heart-rate zones** come from `threshold_hr` (Friel: Z1 under 85% of
/// it, Z2 85–89%, Z3 90–94%, Z4 95–99%, Z5a 100–102%, Z5b 103–106%, Z5c
/// above; zone 1 starts at `resting_hr` when given, zone 5c ends at
/// `max_hr`), or else from `max_hr` and `resting_hr` (Karvonen: resting +
/// share × (max − resting) at 50, 60, 70, 80 and 90%). Each part of the
/// answer is present when its inputs are; a body from which nothing can
/// be computed is refused (422). Plans made with the same fields carry
/// these `zones` and put pace and heart-rate targets on every run step.
#[utoipa::path(
    tag = "plans",
    request_body = ZonesRequest,
    responses(
        (status = 200, description = "VDOT, training paces, race predictions and heart-rate zones, as far as the inputs allow", body = Zones),
        (status = 422, description = "A value out of range, heart rates that contradict each other, or nothing to compute", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/zones")]
pub async fn compute_zones(body: JsonBody<ZonesRequest>) -> Result<HttpResponse, ApiError> {
    let input = body.0;
    input.validate().map_err(ApiError::unprocessable)?;
    Ok(HttpResponse::Ok().json(zones(&input)))
}
