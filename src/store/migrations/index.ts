import type { Migration } from "kysely";
import * as core from "./0001_core.ts";
import * as qualityReview from "./0004_quality_review.ts";
import * as casesAuthAudit from "./0005_cases_auth_audit.ts";
import * as caseSubjects from "./0006_case_subjects.ts";
import * as repeatSeries from "./0007_repeat_series.ts";
import * as totpEnrolment from "./0008_totp_enrolment.ts";
import * as apiIndexes from "./0009_api_indexes.ts";
import * as unitsAgencies from "./0010_units_agencies.ts";
import * as importProfiles from "./0011_import_profiles.ts";
import * as caseAttachments from "./0012_case_attachments.ts";
import * as indicatorRollups from "./0013_indicator_rollups.ts";
import * as addressComponents from "./0014_incident_address_components.ts";
import * as unitIndexPrefixes from "./0015_incident_unit_index_prefixes.ts";
import * as indicatorDays from "./0016_indicator_days.ts";
import * as indicatorExtraDays from "./0017_indicator_extra_days.ts";
import * as qualityScorecardBuckets from "./0018_quality_scorecard_buckets.ts";
import * as incidentIdIndex from "./0019_incident_id_index.ts";
import * as incidentRevisions from "./0020_incident_revisions.ts";

/**
 * Every migration, in the order it runs. To add one: create `NNNN_area_what.ts` in this folder
 * exporting `up(db)` (and `down(db)`), then add ONE line below. Names sort in run order; the
 * same code runs on SQLite and PostgreSQL (helpers.ts covers the few differences).
 * `migrations.test.ts` checks that every file here is registered and names are ordered.
 */
export const MIGRATIONS: readonly (readonly [name: string, migration: Migration])[] = [
  ["0001_core", core],
  ["0004_quality_review", qualityReview],
  ["0005_cases_auth_audit", casesAuthAudit],
  ["0006_case_subjects", caseSubjects],
  ["0007_repeat_series", repeatSeries],
  ["0008_totp_enrolment", totpEnrolment],
  ["0009_api_indexes", apiIndexes],
  ["0010_units_agencies", unitsAgencies],
  ["0011_import_profiles", importProfiles],
  ["0012_case_attachments", caseAttachments],
  ["0013_indicator_rollups", indicatorRollups],
  ["0014_incident_address_components", addressComponents],
  ["0015_incident_unit_index_prefixes", unitIndexPrefixes],
  ["0016_indicator_days", indicatorDays],
  ["0017_indicator_extra_days", indicatorExtraDays],
  ["0018_quality_scorecard_buckets", qualityScorecardBuckets],
  ["0019_incident_id_index", incidentIdIndex],
  ["0020_incident_revisions", incidentRevisions],
];
