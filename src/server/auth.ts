import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import type { Clock, UnitLevel } from "../domain/index.ts";
import { decryptField, encryptField } from "../ingest/privacy/index.ts";
import type { ServerRepository, Session, User } from "../store/server-repository.ts";
import type { Principal, Role } from "./access.ts";

/** Authentication policy (docs/server.md); the defaults follow common government-system baselines. */
export interface AuthPolicy {
  /** Failed logins within failureWindowMs that lock an account until an admin unlocks it. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  /** A session ends after this long without a request... */
  readonly idleTimeoutMs: number;
  /** ... and after this long in any case. */
  readonly absoluteLifetimeMs: number;
  readonly minPasswordLength: number;
  /**
   * How long a checked session is trusted without reading the database again. Changes made
   * through this server (logout, disable, password, unlock, TOTP) apply at once; changes made
   * by another process (`recur users disable`, a second server) within this time.
   */
  readonly sessionCacheMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  maxFailures: 5,
  failureWindowMs: 15 * 60_000,
  idleTimeoutMs: 30 * 60_000,
  absoluteLifetimeMs: 12 * 3_600_000,
  minPasswordLength: 12,
  sessionCacheMs: 5_000,
};

export type LoginResult =
  | { readonly ok: true; readonly token: string; readonly user: User }
  | {
      readonly ok: false;
      readonly reason: "invalid" | "locked" | "disabled" | "totp_required" | "totp_invalid";
      readonly user?: User;
    };

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** argon2id with the library's defaults (m=19 MiB, t=2, p=1: OWASP's minimum recommendation). */
export const hashPassword = (password: string) => hash(password);

/**
 * A random password for demo accounts and new users: four groups of four characters without
 * look-alikes, joined by dashes, with lower case, upper case and digits all present.
 */
export function generatePassword(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
  for (;;) {
    const bytes = randomBytes(16);
    const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
    const password = chars.match(/.{4}/g)!.join("-");
    if (/[a-z]/.test(password) && /[A-Z]/.test(password) && /\d/.test(password)) return password;
  }
}

export function principalOf(user: User): Principal {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    unitLevel: user.unitLevel,
    unitCode: user.unitCode,
    agencyCode: user.agencyCode,
  };
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits), accepting one step of clock drift either way. */
export function totpValid(secret: Buffer, code: string, at: number): boolean {
  return totpStep(secret, code, at) !== null;
}

/** The time step a code belongs to (now, or one step either side), or null when it is wrong. */
export function totpStep(secret: Buffer, code: string, at: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  for (const drift of [-1, 0, 1]) {
    const counter = Math.floor(at / 30_000) + drift;
    if (safeEqual(totpCode(secret, counter), code)) return counter;
  }
  return null;
}

/** RFC 4648 base32 without padding, the form authenticator apps read from an otpauth:// URI. */
export function base32(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  let out = "";
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

/** The URI an authenticator app scans (Key Uri Format, as Google Authenticator and FreeOTP read it). */
export function otpauthUri(username: string, secret: Uint8Array, issuer = "recur"): string {
  const label = encodeURIComponent(`${issuer}:${username}`);
  return `otpauth://totp/${label}?secret=${base32(secret)}&issuer=${encodeURIComponent(issuer)}&algorithm=SHA1&digits=6&period=30`;
}

export function totpCode(secret: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac("sha1", secret).update(message).digest();
  const offset = digest[digest.length - 1]! & 0x0f;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

export interface NewUser {
  readonly username: string;
  readonly displayName: string;
  readonly password: string;
  readonly role: Role;
  readonly unitLevel: UnitLevel | null;
  readonly unitCode: string | null;
  readonly agencyCode: string | null;
  readonly mustChangePassword: boolean;
}

/**
 * Login, sessions and passwords over the server repository. The clock comes in so that
 * lockout windows and timeouts are tested with a simulated clock.
 */
export class Auth {
  constructor(
    private readonly repo: ServerRepository,
    private readonly clock: Clock,
    private readonly policy: AuthPolicy = DEFAULT_AUTH_POLICY,
    /** The deployment's field-encryption key, for TOTP secrets at rest; absent = no second factor. */
    private readonly encKey?: () => Promise<Uint8Array>,
  ) {}

  private async totpSecret(enc: string): Promise<Buffer> {
    if (!this.encKey) throw new Error("TOTP needs the deployment key");
    return Buffer.from(decryptField(enc, await this.encKey()), "base64url");
  }

  /** Whether a second factor can be set up (the server has the deployment key). */
  get totpAvailable(): boolean {
    return this.encKey !== undefined;
  }

  /**
   * Starts TOTP enrolment: a new 160-bit secret, encrypted at rest with the deployment key and
   * kept pending until `totpConfirm` sees a right code from it. Returns the otpauth:// URI.
   */
  async totpSetup(user: User): Promise<string> {
    if (!this.encKey) throw new Error("TOTP needs the deployment key");
    const secret = randomBytes(20);
    const enc = encryptField(secret.toString("base64url"), await this.encKey());
    await this.repo.updateUser(user.id, { totpPendingEnc: enc });
    this.forget(user.id);
    return otpauthUri(user.username, secret);
  }

  /** Turns the pending secret on when the code is right; false when there is none or the code is wrong. */
  async totpConfirm(userId: string, code: string): Promise<boolean> {
    const user = await this.repo.userById(userId);
    if (!user?.totpPendingEnc) return false;
    const step = totpStep(await this.totpSecret(user.totpPendingEnc), code, this.clock.now());
    if (step === null) return false;
    await this.repo.updateUser(user.id, {
      totpEnc: user.totpPendingEnc,
      totpPendingEnc: null,
      totpLastStep: step,
    });
    return true;
  }

  /** Removes the second factor (security admin, e.g. a lost phone); the user may set it up again. */
  async totpDisable(userId: string): Promise<void> {
    await this.repo.updateUser(userId, { totpEnc: null, totpPendingEnc: null, totpLastStep: null });
    this.forget(userId);
  }

  /** Sessions checked recently: token hash → the session and its user, and when they were read. */
  private readonly sessions = new Map<string, { session: Session; user: User; readAt: number }>();

  /** Forgets cached sessions of a user (or all), after a change to the user or their sessions. */
  private forget(userId?: string): void {
    if (userId === undefined) this.sessions.clear();
    else for (const [key, entry] of this.sessions) if (entry.user.id === userId) this.sessions.delete(key);
  }

  async createUser(input: NewUser): Promise<User> {
    this.checkPasswordStrength(input.password);
    const user: User = {
      id: randomUUID(),
      username: input.username,
      displayName: input.displayName,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      unitLevel: input.unitLevel,
      unitCode: input.unitCode,
      agencyCode: input.agencyCode,
      disabled: false,
      locked: false,
      mustChangePassword: input.mustChangePassword,
      failures: [],
      totpEnc: null,
      createdAt: this.clock.now(),
    };
    await this.repo.createUser(user);
    return user;
  }

  checkPasswordStrength(password: string): void {
    const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
    if (password.length < this.policy.minPasswordLength || classes < 3)
      throw new WeakPasswordError(this.policy.minPasswordLength);
  }

  async login(username: string, password: string, ip: string | null, totp?: string): Promise<LoginResult> {
    const now = this.clock.now();
    const user = await this.repo.userByName(username);
    if (!user) {
      // Same work as for a real user, so timing does not tell which usernames exist.
      await verify(
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        password,
      ).catch(() => false);
      return { ok: false, reason: "invalid" };
    }
    if (user.disabled) return { ok: false, reason: "disabled", user };
    if (user.locked) return { ok: false, reason: "locked", user };
    const good = await verify(user.passwordHash, password).catch(() => false);
    if (!good) {
      const failures = [...user.failures.filter((t) => now - t < this.policy.failureWindowMs), now];
      const locked = failures.length >= this.policy.maxFailures;
      await this.repo.updateUser(user.id, { failures, locked });
      return { ok: false, reason: locked ? "locked" : "invalid", user };
    }
    if (user.totpEnc) {
      if (!totp) return { ok: false, reason: "totp_required", user };
      const step = this.encKey ? totpStep(await this.totpSecret(user.totpEnc), totp, now) : null;
      // A code is good once: a replayed (or older) step is refused like a wrong one.
      if (step === null || step <= (user.totpLastStep ?? Number.NEGATIVE_INFINITY)) {
        const failures = [...user.failures.filter((t) => now - t < this.policy.failureWindowMs), now];
        const locked = failures.length >= this.policy.maxFailures;
        await this.repo.updateUser(user.id, { failures, locked });
        return { ok: false, reason: locked ? "locked" : "totp_invalid", user };
      }
      await this.repo.updateUser(user.id, { totpLastStep: step });
    }
    if (user.failures.length > 0) await this.repo.updateUser(user.id, { failures: [] });
    const token = randomBytes(32).toString("base64url");
    await this.repo.createSession({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      ip,
    });
    return { ok: true, token, user };
  }

  /** The user behind a session token, or undefined when it is unknown, idle too long, too old or disabled. */
  async authenticate(token: string): Promise<User | undefined> {
    const now = this.clock.now();
    const tokenHash = hashToken(token);
    const cached = this.sessions.get(tokenHash);
    const fresh = cached && now - cached.readAt < this.policy.sessionCacheMs && now >= cached.readAt;
    const session = fresh ? cached.session : await this.repo.session(tokenHash);
    if (!session) {
      this.sessions.delete(tokenHash);
      return undefined;
    }
    const expired =
      now - session.lastSeenAt > this.policy.idleTimeoutMs ||
      now - session.createdAt > this.policy.absoluteLifetimeMs;
    const user = expired ? undefined : fresh ? cached.user : await this.repo.userById(session.userId);
    if (!user || user.disabled) {
      this.sessions.delete(tokenHash);
      await this.repo.deleteSession(tokenHash);
      return undefined;
    }
    // Writing last-seen on every request would make every read a write; a minute's precision is enough.
    let seen = session;
    if (now - session.lastSeenAt > 60_000) {
      await this.repo.touchSession(tokenHash, now);
      seen = { ...session, lastSeenAt: now };
    }
    if (this.sessions.size > 10_000) this.sessions.clear();
    this.sessions.set(tokenHash, { session: seen, user, readAt: fresh ? cached.readAt : now });
    return user;
  }

  async logout(token: string): Promise<void> {
    this.sessions.delete(hashToken(token));
    await this.repo.deleteSession(hashToken(token));
  }

  async checkPassword(user: User, password: string): Promise<boolean> {
    return verify(user.passwordHash, password).catch(() => false);
  }

  async changePassword(user: User, oldPassword: string, newPassword: string): Promise<boolean> {
    if (!(await verify(user.passwordHash, oldPassword).catch(() => false))) return false;
    if (oldPassword === newPassword) throw new WeakPasswordError(this.policy.minPasswordLength);
    this.checkPasswordStrength(newPassword);
    await this.repo.updateUser(user.id, {
      passwordHash: await hashPassword(newPassword),
      mustChangePassword: false,
    });
    this.forget(user.id);
    return true;
  }

  /** Disabling a user ends all their sessions at once. */
  async disable(userId: string): Promise<number> {
    await this.repo.updateUser(userId, { disabled: true });
    this.forget(userId);
    return this.repo.deleteUserSessions(userId);
  }

  async unlock(userId: string): Promise<void> {
    await this.repo.updateUser(userId, { locked: false, failures: [] });
    this.forget(userId);
  }
}

export class WeakPasswordError extends Error {
  constructor(readonly minLength: number) {
    super(`password too weak: at least ${minLength} characters and 3 of lower, upper, digit, symbol`);
    this.name = "WeakPasswordError";
  }
}

/** Constant-time string comparison for secrets. */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}
