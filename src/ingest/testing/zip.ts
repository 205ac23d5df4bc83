import { deflateRawSync } from "node:zlib";

/**
 * A zip archive built by hand, for tests of the XLSX reader: deflated entries in the order given,
 * with a declared size that may lie (zip-bomb guards) — what Excel or any other writer might make.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** A minimal zip writer (deflate), enough to build hostile archives for the guard. */
export function zip(
  entries: readonly {
    name: string;
    data: Buffer;
    declaredSize?: number;
    /** The name's bytes as written (a Windows tool writes GBK without the UTF-8 flag). */
    nameBytes?: Buffer;
    /** General purpose flags: 0x800 = the name is UTF-8, 0x1 = encrypted. */
    flags?: number;
  }[],
): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = e.nameBytes ?? Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.flags ?? 0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(e.flags ?? 0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, packed);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const centralBytes = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralBytes, end]);
}

/** Namespaces of a workbook's parts. */
export const XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
export const XLSX_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/**
 * A workbook of one sheet named 警情, the least Excel reads: the sheet's XML, the workbook and its
 * relationships, and the styles part when `styles` (the inside of <styleSheet>) is given.
 */
export function oneSheetWorkbook(sheet: string | Buffer, styles?: string): Buffer {
  return zip([
    { name: "xl/worksheets/sheet1.xml", data: Buffer.isBuffer(sheet) ? sheet : Buffer.from(sheet) },
    ...(styles
      ? [
          {
            name: "xl/styles.xml",
            data: Buffer.from(`<styleSheet xmlns="${XLSX_MAIN}">${styles}</styleSheet>`),
          },
        ]
      : []),
    {
      name: "xl/workbook.xml",
      data: Buffer.from(
        `<workbook xmlns="${XLSX_MAIN}" xmlns:r="${XLSX_REL}"><sheets><sheet name="警情" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    {
      name: "xl/_rels/workbook.xml.rels",
      data: Buffer.from(
        `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${XLSX_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
  ]);
}
