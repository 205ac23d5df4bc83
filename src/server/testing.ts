import type { FastifyInstance } from "fastify";
import type { Clock } from "../domain/index.ts";
import { serverRepository } from "../store/server-repository.ts";
import type { Store } from "../store/types.ts";
import type { Role } from "./access.ts";
import { Auth } from "./auth.ts";

/**
 * What the server's route tests share: users of given roles with one password, logged in through
 * the real login route, and requests made as one of them in a given language.
 */

export const TEST_PASSWORD = "Correct-Horse-42";

/**
 * Creates each user with the test password: station officers at station S1, everyone else at
 * the city (C). Returns their ids by user name.
 * @example await createUsers(store, clock, [["analyst", "city_analyst"], ["station", "station_officer"]])
 */
export async function createUsers(
  store: Store,
  clock: Clock,
  users: readonly (readonly [string, Role])[],
): Promise<Record<string, string>> {
  const auth = new Auth(serverRepository(store), clock);
  const ids: Record<string, string> = {};
  for (const [username, role] of users)
    ids[username] = (
      await auth.createUser({
        username,
        displayName: username,
        password: TEST_PASSWORD,
        role,
        unitLevel: role === "station_officer" ? "station" : "city",
        unitCode: role === "station_officer" ? "S1" : "C",
        agencyCode: null,
        mustChangePassword: false,
      })
    ).id;
  return ids;
}

/** Logs each user in through POST /api/v1/auth/login; returns their session cookies by user name. */
export async function logIn(
  app: FastifyInstance,
  usernames: readonly string[],
  password = TEST_PASSWORD,
): Promise<Record<string, string>> {
  const cookies: Record<string, string> = {};
  for (const username of usernames) {
    const r = await app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username, password },
    });
    cookies[username] = String(r.headers["set-cookie"] ?? "").split(";")[0] ?? "";
  }
  return cookies;
}

/**
 * A request as a logged-in user, with an Accept-Language (zh-CN unless said).
 * @example const call = requestAs(app, cookies); await call("analyst", "GET", "/api/v1/rules")
 */
export function requestAs(app: FastifyInstance, cookies: Readonly<Record<string, string>>) {
  return (
    who: string,
    method: "GET" | "POST" | "PUT" | "DELETE",
    url: string,
    payload?: object,
    lang = "zh-CN",
  ) =>
    app.inject({
      method,
      url,
      headers: { cookie: cookies[who] ?? "", "accept-language": lang },
      ...(payload ? { payload } : {}),
    });
}
