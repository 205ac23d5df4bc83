import type { Kysely } from "kysely";
import type { Store } from "./types.ts";

/** Table of migration 0011_import_profiles. */
type ProfileTables = {
  import_profiles: {
    id: string;
    name: string;
    description: string | null;
    profile_json: string;
    version: number;
    created_by: string;
    created_at: number;
    updated_by: string;
    updated_at: number;
  };
};

/** A mapping profile saved in the deployment; `json` is the profile file's text. */
export interface SavedProfile {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly json: string;
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedBy: string;
  readonly updatedAt: number;
}

export type SavedProfileSummary = Omit<SavedProfile, "json">;

export interface NewSavedProfile {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly json: string;
  readonly by: string;
  readonly at: number;
}

export type ProfileSaveResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: "name_taken" | "not_found" | "version_conflict" };

export interface ProfileRepository {
  list(): Promise<SavedProfileSummary[]>;
  get(id: string): Promise<SavedProfile | undefined>;
  byName(name: string): Promise<SavedProfile | undefined>;
  create(profile: NewSavedProfile): Promise<ProfileSaveResult<SavedProfile>>;
  /** Replaces a profile if it is still at `version` (optimistic locking); the version goes up by one. */
  update(
    id: string,
    version: number,
    change: Omit<NewSavedProfile, "id">,
  ): Promise<ProfileSaveResult<SavedProfile>>;
  remove(id: string): Promise<boolean>;
}

const toSaved = (r: ProfileTables["import_profiles"]): SavedProfile => ({
  id: r.id,
  name: r.name,
  description: r.description,
  json: r.profile_json,
  version: Number(r.version),
  createdBy: r.created_by,
  createdAt: Number(r.created_at),
  updatedBy: r.updated_by,
  updatedAt: Number(r.updated_at),
});

/** The deployment's saved mapping profiles, on either store. */
export function profileRepository(store: Store): ProfileRepository {
  const db = store.db.withTables<ProfileTables>() as unknown as Kysely<ProfileTables>;
  const byName = async (name: string) => {
    const row = await db
      .selectFrom("import_profiles")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    return row ? toSaved(row) : undefined;
  };
  const get = async (id: string) => {
    const row = await db.selectFrom("import_profiles").selectAll().where("id", "=", id).executeTakeFirst();
    return row ? toSaved(row) : undefined;
  };
  return {
    async list() {
      const rows = await db
        .selectFrom("import_profiles")
        .select([
          "id",
          "name",
          "description",
          "version",
          "created_by",
          "created_at",
          "updated_by",
          "updated_at",
        ])
        .orderBy("name")
        .execute();
      return rows.map((r) => {
        const { json: _json, ...rest } = toSaved({ ...r, profile_json: "" });
        return rest;
      });
    },
    get,
    byName,
    async create(p) {
      if (await byName(p.name)) return { ok: false, reason: "name_taken" };
      try {
        await db
          .insertInto("import_profiles")
          .values({
            id: p.id,
            name: p.name,
            description: p.description,
            profile_json: p.json,
            version: 1,
            created_by: p.by,
            created_at: p.at,
            updated_by: p.by,
            updated_at: p.at,
          })
          .execute();
      } catch (error) {
        // Two saves of one name at the same moment: the unique index decides.
        if (await byName(p.name)) return { ok: false, reason: "name_taken" };
        throw error;
      }
      return { ok: true, value: (await get(p.id))! };
    },
    async update(id, version, change) {
      const current = await get(id);
      if (!current) return { ok: false, reason: "not_found" };
      const clash = await byName(change.name);
      if (clash && clash.id !== id) return { ok: false, reason: "name_taken" };
      const result = await db
        .updateTable("import_profiles")
        .set({
          name: change.name,
          description: change.description,
          profile_json: change.json,
          version: version + 1,
          updated_by: change.by,
          updated_at: change.at,
        })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return { ok: false, reason: "version_conflict" };
      return { ok: true, value: (await get(id))! };
    },
    async remove(id) {
      const result = await db.deleteFrom("import_profiles").where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
