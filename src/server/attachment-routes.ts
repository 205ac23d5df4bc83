import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { fileTypeFromBuffer } from "file-type";
import {
  ATTACHMENT_TYPES,
  AttachmentRejectedError,
  acceptAttachment,
  MAX_ATTACHMENT_BYTES,
  safeFileName,
} from "../cases/attachments.ts";
import { attachmentRepository } from "../store/attachment-repository.ts";
import { caseInScope, langOf, type Services, sendError } from "./routes.ts";

/**
 * Case attachments (docs/cases.md "Attachments"): listed with the case, uploaded as raw bytes
 * (type by magic bytes, size limit, SHA-256), downloaded through an audited route. Every route
 * first looks the case up in the user's scope, so a partner agency reaches only the files of
 * cases referred to it.
 */
export function registerAttachmentRoutes(app: FastifyInstance, services: () => Services | undefined): void {
  app.get(
    "/api/v1/cases/:id/attachments",
    { config: { permission: "cases.read", audit: "case.attachments" } },
    async (request, reply) => {
      const s = services()!;
      const c = await caseInScope(s, request, reply);
      if (!c) return reply;
      return {
        attachments: await attachmentRepository(s.store).list(c.id),
        maxBytes: MAX_ATTACHMENT_BYTES,
        allowed: [...new Set(ATTACHMENT_TYPES.map((t) => t.ext))],
      };
    },
  );

  app.get(
    "/api/v1/cases/:id/attachments/:attachment",
    { config: { permission: "cases.read", audit: "case.attachment.download" } },
    async (request, reply) => {
      const lang = langOf(request);
      const s = services()!;
      const c = await caseInScope(s, request, reply);
      if (!c) return reply;
      const id = (request.params as { attachment: string }).attachment;
      request.auditDetail = { attachment: id };
      const found = await attachmentRepository(s.store).get(c.id, id);
      if (!found) return sendError(reply, 404, "not_found", "附件不存在", "No such attachment", lang);
      if (!found.content)
        return sendError(
          reply,
          410,
          "removed_by_retention",
          "该附件已按个人信息保留期限删除",
          "The attachment was removed under the retention schedule",
          lang,
        );
      const name = found.info.name ?? `attachment.${found.info.ext}`;
      reply.header(
        "Content-Disposition",
        `attachment; filename="${found.info.id}.${found.info.ext}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      );
      // A stored file is never run by the browser in the app's origin.
      reply.header("Content-Security-Policy", "sandbox; default-src 'none'");
      reply.header("Cache-Control", "no-store");
      reply.header("X-Content-SHA256", found.info.sha256);
      reply.type(found.info.mime);
      return reply.send(Buffer.from(found.content));
    },
  );

  app.register(async (scoped) => {
    // The raw file is the body (any content type), up to the attachment limit plus a margin so
    // that a too-large file gets the clear message below rather than a bare 413.
    const limit = MAX_ATTACHMENT_BYTES + 1024 * 1024;
    scoped.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: limit }, (_r, body, done) =>
      done(null, body),
    );
    scoped.post(
      "/api/v1/cases/:id/attachments",
      { config: { permission: "cases.act", audit: "case.attachment.upload" }, bodyLimit: limit },
      async (request, reply) => {
        const lang = langOf(request);
        const s = services()!;
        const c = await caseInScope(s, request, reply);
        if (!c) return reply;
        if (c.state === "cancelled")
          return sendError(
            reply,
            409,
            "case_cancelled",
            "已撤销的案件不能再上传附件",
            "A cancelled case takes no attachments",
            lang,
          );
        const rawName = (request.query as { name?: unknown }).name;
        const name = safeFileName(typeof rawName === "string" ? rawName : "");
        const body = request.body;
        const bytes = Buffer.isBuffer(body)
          ? body
          : typeof body === "string"
            ? Buffer.from(body)
            : Buffer.alloc(0);
        try {
          const detected = bytes.length > 0 ? await fileTypeFromBuffer(bytes) : undefined;
          const type = acceptAttachment(detected, name, bytes.length);
          const info = {
            id: randomUUID(),
            caseId: c.id,
            name,
            ext: type.ext,
            mime: type.mime,
            size: bytes.length,
            sha256: createHash("sha256").update(bytes).digest("hex"),
            uploadedBy: request.principal!.userId,
            uploadedAt: s.clock.now(),
          };
          await attachmentRepository(s.store).save({ ...info, content: bytes });
          request.auditDetail = { attachment: info.id, sha256: info.sha256, size: info.size };
          return reply.status(201).send({ attachment: { ...info, deletedAt: null } });
        } catch (error) {
          if (error instanceof AttachmentRejectedError) {
            request.auditDetail = { rejected: error.code };
            return sendError(
              reply,
              error.code === "file_too_large" ? 413 : error.code === "empty_file" ? 400 : 415,
              error.code,
              error.messages.zh,
              error.messages.en,
              lang,
            );
          }
          throw error;
        }
      },
    );
  });
}
