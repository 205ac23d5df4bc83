import { z } from "zod";
import { CATEGORIES, type Category, DATUMS, DEFAULT_SUBTYPES, DEPARTMENTS } from "../../domain/index.ts";
import { ENCODINGS } from "../readers/encoding.ts";
import { assertTimeZone, compileTimeFormat } from "../time.ts";

/**
 * The mapping profile: a JSON file that says how one dispatch system's export maps onto the
 * incident model. Every key is documented in docs/profiles.md; this schema is the single source
 * of truth for what is valid.
 */

const VALUE_KEYS = ["column", "columns", "const", "template"] as const;

const NAME_MESSAGE = "lower-case letters, digits, . _ -";
const TARGET_MESSAGE = "expected category or category.subtype";
const UTM_MESSAGE = "expected a UTM zone like 10N or 50N";
const SUBTYPE_CODE_MESSAGE = "lower-case letters, digits and _";

/** Chinese for the schema's fixed English messages (the others carry `params.zh`). */
export const SCHEMA_MESSAGES_ZH: Readonly<Record<string, string>> = {
  [NAME_MESSAGE]: "只能用小写字母、数字和 . _ -",
  [TARGET_MESSAGE]: "应为 类别 或 类别.细类，如 dispute 或 dispute.family",
  [UTM_MESSAGE]: "应为 UTM 分带，如 10N 或 50N",
  [SUBTYPE_CODE_MESSAGE]: "只能用小写字母、数字和 _",
};

/**
 * Chinese for the errors of compileTimeFormat (src/ingest/time.ts), which speaks English only.
 * @example timeFormatMessageZh("format YYYY-MM needs a year, a month and a day")
 */
export function timeFormatMessageZh(message: string): string {
  let m = /^format (.*) needs a year, a month and a day$/.exec(message);
  if (m) return `格式 ${m[1]} 须含年、月、日（YYYY、M 或 MM、D 或 DD）`;
  m = /^format (.*): 12-hour h\/hh goes with A \(AM\/PM\), 24-hour H\/HH without$/.exec(message);
  if (m) return `格式 ${m[1]}: 12 小时制的 h/hh 须与 A（上午/下午、AM/PM）同用，24 小时制的 H/HH 不用 A`;
  m = /^format (.*) has no date or time token$/.exec(message);
  if (m) return `格式 ${m[1]} 中没有日期或时间记号（YYYY、M、D、H、m、s ...）`;
  m = /^unclosed \[ in (.*)$/.exec(message);
  if (m) return `格式 ${m[1]} 中的 [ 没有配对的 ]`;
  return `时间格式无效: ${message}`;
}

/** Where a value comes from: one column, several joined, a constant, or a "{column}" template. */
const valueShape = {
  // Trimmed: the readers trim the header, so "报警时间 " copied with its space could never match.
  column: z.string().trim().min(1).optional(),
  columns: z.array(z.string().trim().min(1)).min(1).optional(),
  /** Joins `columns`; empty cells are skipped. */
  separator: z.string().optional(),
  const: z.string().optional(),
  template: z.string().min(1).optional(),
};

function exactlyOneSource(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const present = VALUE_KEYS.filter((k) => value[k] !== undefined);
  if (present.length !== 1)
    ctx.addIssue(
      present.length === 0
        ? {
            code: "custom",
            message: `needs one of ${VALUE_KEYS.join(", ")}`,
            params: { zh: `须有 ${VALUE_KEYS.join("、")} 之一（列名写作 "column": "列名"）` },
          }
        : {
            code: "custom",
            message: `takes only one of ${VALUE_KEYS.join(", ")} (found ${present.join(", ")})`,
            params: { zh: `只能有 ${VALUE_KEYS.join("、")} 之一（现有 ${present.join(", ")}）` },
          },
    );
  if (typeof value.template === "string" && !/\{[^}]+\}/.test(value.template))
    ctx.addIssue({
      code: "custom",
      path: ["template"],
      message: "a template needs at least one {column}",
      params: { zh: "模板至少要有一个 {列名}" },
    });
}

/** A column name alone is shorthand for { "column": name }. */
const columnShorthand = (v: unknown) => (typeof v === "string" ? { column: v } : v);

export const ValueSourceSchema = z.preprocess(
  columnShorthand,
  z.strictObject(valueShape).superRefine(exactlyOneSource),
);
export type ValueSource = z.infer<typeof ValueSourceSchema>;

const timeFormatSchema = z
  .string()
  .min(1)
  .superRefine((format, ctx) => {
    try {
      compileTimeFormat(format);
    } catch (error) {
      const message = (error as Error).message;
      ctx.addIssue({ code: "custom", message, params: { zh: timeFormatMessageZh(message) } });
    }
  });

export const TIME_FIELDS = ["receivedAt", "acceptedAt", "dispatchedAt", "arrivedAt", "closedAt"] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

export const TimeSpecSchema = z.preprocess(
  columnShorthand,
  z
    .strictObject({
      ...valueShape,
      /** One format or several tried in order; defaults to the profile's timeFormat. */
      format: z.union([timeFormatSchema, z.array(timeFormatSchema).min(1)]).optional(),
      /** For clock-only formats ("HH:mm"): the time field whose local date this one takes. */
      dateFrom: z.enum(TIME_FIELDS).optional(),
      /** With dateFrom: a clock time earlier than that field's is on the next day (default true). */
      rollover: z.boolean().optional(),
      /**
       * Only roll over when the clock time is more than this many hours earlier (default 12): a
       * 23:50 call answered at 00:07 is the next day, an arrival 5 minutes "before" the call is a
       * data error on the same day (flagged time_order), not 23 h 55 min later.
       */
      rolloverHours: z.number().min(0).max(24).optional(),
    })
    .superRefine(exactlyOneSource),
);
export type TimeSpec = z.infer<typeof TimeSpecSchema>;

/** "category" or "category.subtype" of the taxonomy; checked against the taxonomy after parsing. */
const targetSchema = z.string().regex(/^[a-z_]+(\.[a-z_0-9]+)?$/, TARGET_MESSAGE);

const codeMapShape = {
  ...valueShape,
  /** Source value → target, compared after trimming (and case-folding unless ignoreCase is false). */
  exact: z.record(z.string(), targetSchema).optional(),
  /** Source prefix → target; the longest matching prefix wins. */
  prefix: z.record(z.string(), targetSchema).optional(),
  /** Regular expressions tried in order. */
  regex: z
    .array(z.strictObject({ pattern: z.string().min(1), flags: z.string().optional(), to: targetSchema }))
    .optional(),
  /** Also accept recur's own codes and zh/en labels ("纠纷/邻里纠纷", "噪音扰民", "traffic.accident"). */
  labels: z.boolean().optional(),
  ignoreCase: z.boolean().optional(),
};

function validRegexes(
  value: { regex?: { pattern: string; flags?: string | undefined }[] | undefined },
  ctx: z.RefinementCtx,
) {
  value.regex?.forEach((r, i) => {
    try {
      new RegExp(r.pattern, r.flags);
    } catch (error) {
      const message = (error as Error).message;
      ctx.addIssue({
        code: "custom",
        path: ["regex", i, "pattern"],
        message,
        params: { zh: `正则表达式无效: ${message}` },
      });
    }
  });
}

export const CategoryMapSchema = z.preprocess(
  columnShorthand,
  z
    .strictObject({
      ...codeMapShape,
      /** Target when nothing matches (a warning is reported); default "other". */
      default: targetSchema.optional(),
    })
    .superRefine(exactlyOneSource)
    .superRefine(validRegexes),
);
export type CategoryMap = z.infer<typeof CategoryMapSchema>;

const departmentTarget = z.enum(DEPARTMENTS);
export const DepartmentMapSchema = z.preprocess(
  columnShorthand,
  z
    .strictObject({
      ...valueShape,
      exact: z.record(z.string(), departmentTarget).optional(),
      prefix: z.record(z.string(), departmentTarget).optional(),
      regex: z
        .array(
          z.strictObject({ pattern: z.string().min(1), flags: z.string().optional(), to: departmentTarget }),
        )
        .optional(),
      labels: z.boolean().optional(),
      ignoreCase: z.boolean().optional(),
      default: departmentTarget.optional(),
    })
    .superRefine(exactlyOneSource)
    .superRefine(validRegexes),
);
export type DepartmentMap = z.infer<typeof DepartmentMapSchema>;

const datumSchema = z.enum(DATUMS);

export const CoordinatesSchema = z.union([
  z.strictObject({
    lon: ValueSourceSchema,
    lat: ValueSourceSchema,
    /** A fixed datum, or a column whose values name it (GCJ02, WGS84, BD09, 火星坐标 ...). */
    datum: z.union([
      datumSchema,
      z.preprocess(
        columnShorthand,
        z
          .strictObject({
            ...valueShape,
            map: z.record(z.string(), datumSchema).optional(),
            default: datumSchema,
          })
          .superRefine(exactlyOneSource),
      ),
    ]),
  }),
  z.strictObject({
    x: ValueSourceSchema,
    y: ValueSourceSchema,
    /** UTM zone of projected metres, e.g. "10N" (Vancouver) or "50N" (Beijing); converted to WGS-84. */
    utm: z.string().regex(/^([1-9]|[1-5][0-9]|60)[NSns]$/, UTM_MESSAGE),
  }),
  z.strictObject({
    x: ValueSourceSchema,
    y: ValueSourceSchema,
    /** Any projection as a proj4 string, converted to WGS-84. */
    proj4: z.string().min(1),
  }),
]);
export type CoordinatesSpec = z.infer<typeof CoordinatesSchema>;

const localized = z.union([z.string(), z.strictObject({ zh: z.string(), en: z.string() })]);

export const ProfileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    /** Short name, e.g. "milwaukee" (what --profile takes for bundled profiles). */
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, NAME_MESSAGE),
    description: localized.optional(),
    /** Identifies the dispatch system; with the source id it identifies a record across imports. */
    sourceSystem: z.string().min(1).max(64),
    /** The deployment's region for address parsing, e.g. "浙江省杭州市" or a division code (optional). */
    region: z.string().min(1).optional(),
    /** IANA time zone of the times in the file, e.g. "Asia/Shanghai", "America/Chicago". */
    timezone: z.string().superRefine((tz, ctx) => {
      try {
        assertTimeZone(tz);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: `unknown IANA time zone "${tz}"`,
          params: { zh: `未知的 IANA 时区 "${tz}"（中国用 Asia/Shanghai）` },
        });
      }
    }),
    input: z
      .strictObject({
        format: z.enum(["auto", "csv", "xlsx", "jsonl"]).optional(),
        encoding: z.enum(ENCODINGS).optional(),
        delimiter: z.string().length(1).optional(),
        sheet: z.union([z.string(), z.number().int().min(1)]).optional(),
      })
      .optional(),
    /** Cell texts that mean "no value"; default "", NULL, null, NA, N/A, #N/A, -. */
    nullValues: z.array(z.string()).optional(),
    /** Default format of time fields that do not give one. */
    timeFormat: z.union([timeFormatSchema, z.array(timeFormatSchema).min(1)]).optional(),
    /** Where the source id comes from; { "hash": true } when the export has none. */
    sourceId: z.union([z.strictObject({ hash: z.literal(true) }), ValueSourceSchema]),
    fields: z.strictObject({
      receivedAt: TimeSpecSchema,
      acceptedAt: TimeSpecSchema.optional(),
      dispatchedAt: TimeSpecSchema.optional(),
      arrivedAt: TimeSpecSchema.optional(),
      closedAt: TimeSpecSchema.optional(),
      address: ValueSourceSchema.optional(),
      narrative: ValueSourceSchema.optional(),
      disposition: ValueSourceSchema.optional(),
      feedback: ValueSourceSchema.optional(),
    }),
    category: CategoryMapSchema.optional(),
    department: DepartmentMapSchema.optional(),
    units: z
      .strictObject({
        city: ValueSourceSchema.optional(),
        branch: ValueSourceSchema.optional(),
        station: ValueSourceSchema.optional(),
        area: ValueSourceSchema.optional(),
      })
      .optional(),
    caller: z
      .preprocess(
        columnShorthand,
        z
          .strictObject({
            ...valueShape,
            /** Store the number itself, AES-256-GCM encrypted (default false: only the pseudonym). */
            keepNumber: z.boolean().optional(),
            /**
             * The city's telephone area code with its trunk 0 ("0571"): a 7-8 digit local landline
             * gets it before the pseudonym, so that 87654321 and 0571-87654321 are one caller.
             */
            areaCode: z
              .string()
              .regex(/^0[1-9]\d{1,2}$/, {
                message:
                  'an area code with its leading 0, 3 or 4 digits ("010", "0571") / 带开头 0 的 3 或 4 位区号（"010"、"0571"）',
              })
              .optional(),
          })
          .superRefine(exactlyOneSource),
      )
      .optional(),
    coordinates: CoordinatesSchema.optional(),
    /** Extra subtypes this deployment uses, per category, beyond the default taxonomy. */
    taxonomy: z
      .partialRecord(z.enum(CATEGORIES), z.array(z.string().regex(/^[a-z_0-9]+$/, SUBTYPE_CODE_MESSAGE)))
      .optional(),
    /** Times more than this many minutes after the import's clock are flagged (default 60). */
    futureToleranceMinutes: z.number().min(0).optional(),
    /** Times before this year are implausible and dropped (default 1990). */
    minYear: z.number().int().min(1900).max(2100).optional(),
  })
  .superRefine((profile, ctx) => {
    // Targets of the category map must exist in the taxonomy.
    const subtypes = (category: Category): readonly string[] => [
      ...DEFAULT_SUBTYPES[category],
      ...(profile.taxonomy?.[category] ?? []),
    ];
    const check = (target: string, path: (string | number)[]) => {
      const [category, subtype] = target.split(".");
      if (!(CATEGORIES as readonly string[]).includes(category ?? ""))
        ctx.addIssue({
          code: "custom",
          path,
          message: `unknown category "${category}" (${CATEGORIES.join(", ")})`,
          params: { zh: `未知的类别 "${category}"（可用: ${CATEGORIES.join(", ")}）` },
        });
      else if (subtype !== undefined && !subtypes(category as Category).includes(subtype)) {
        const known = subtypes(category as Category).join(", ");
        ctx.addIssue({
          code: "custom",
          path,
          message: `unknown subtype "${subtype}" of ${category} (${known}; add it under "taxonomy")`,
          params: {
            zh: `未知的细类 "${subtype}"（${category} 的细类: ${known}；自定义细类写在 "taxonomy" 下）`,
          },
        });
      }
    };
    const map = profile.category;
    if (map) {
      for (const [k, v] of Object.entries(map.exact ?? {})) check(v, ["category", "exact", k]);
      for (const [k, v] of Object.entries(map.prefix ?? {})) check(v, ["category", "prefix", k]);
      map.regex?.forEach((r, i) => {
        check(r.to, ["category", "regex", i, "to"]);
      });
      if (map.default) check(map.default, ["category", "default"]);
    }
    // A clock-only time needs the field it takes its date from, and that field must be mapped.
    for (const field of TIME_FIELDS) {
      const spec = profile.fields[field];
      if (!spec) continue;
      const formats = [spec.format ?? profile.timeFormat ?? "YYYY-MM-DD HH:mm:ss"].flat();
      const clockOnly = formats.some((f) => {
        try {
          return !compileTimeFormat(f).hasDate;
        } catch {
          return false; // already reported on the format itself
        }
      });
      if (clockOnly && !spec.dateFrom)
        ctx.addIssue({
          code: "custom",
          path: ["fields", field, "dateFrom"],
          message: "a clock-only format needs dateFrom (the field whose date it takes)",
          params: { zh: "只有时刻的格式须用 dateFrom（取其日期的时间字段，如 receivedAt）" },
        });
      if (spec.dateFrom !== undefined) {
        if (spec.dateFrom === field || !profile.fields[spec.dateFrom])
          ctx.addIssue({
            code: "custom",
            path: ["fields", field, "dateFrom"],
            message: `dateFrom must name another mapped time field`,
            params: { zh: "dateFrom 须指向另一个已映射的时间字段" },
          });
        else if (profile.fields[spec.dateFrom]?.dateFrom !== undefined)
          ctx.addIssue({
            code: "custom",
            path: ["fields", field, "dateFrom"],
            message: `${spec.dateFrom} itself takes its date from another field; chain to a field with a full date`,
            params: { zh: `${spec.dateFrom} 本身也从别的字段取日期；请指向有完整日期的字段` },
          });
      }
    }
  });
export type Profile = z.infer<typeof ProfileSchema>;
