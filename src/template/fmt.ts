// Go's fmt package for the values a template can hold: Sprint, Sprintln, Sprintf with flags,
// width, precision, argument indexes, and Go's error annotations (%!d(string=x), MISSING, EXTRA).
// Strings in and out are Go byte strings.
import { decodeRune, encodeRune, runeCount, runeError } from "./go-string.ts";
import { canBackquote, formatFloat, quote, quoteRune } from "./strconv.ts";
import { isPrint } from "./unicode.ts";
import {
  GoInt,
  GoMap,
  GoOpaque,
  GoSlice,
  GoStruct,
  type GoValue,
  JsonNumber,
  sortedKeys,
  typeName,
} from "./values.ts";

const tooLarge = (x: number) => x > 1e6 || x < -1e6;

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function clearFlags(): Flags {
  return {
    plus: false,
    minus: false,
    sharp: false,
    space: false,
    zero: false,
    plusV: false,
    sharpV: false,
    wid: 0,
    widPresent: false,
    prec: 0,
    precPresent: false,
  };
}

class Printer {
  buf = "";
  f: Flags = clearFlags();
  erroring = false;

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.f.zero && !this.f.minus ? "0" : " ").repeat(n);
  }

  pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.buf += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (!this.f.minus) {
      this.writePadding(width);
      this.buf += s;
    } else {
      this.buf += s;
      this.writePadding(width);
    }
  }

  fmtInteger(u: bigint, isSigned: boolean, base: number, verb: string, upper: boolean): void {
    const f = this.f;
    let negative = isSigned && u < 0n;
    if (negative) u = -u;
    if (!isSigned && u < 0n) u = BigInt.asUintN(64, u);
    let prec = 0;
    if (f.precPresent) {
      prec = f.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = f.zero;
        f.zero = false;
        this.writePadding(f.wid);
        f.zero = oldZero;
        return;
      }
    } else if (f.zero && !f.minus && f.widPresent) {
      prec = f.wid;
      if (negative || f.plus || f.space) prec--;
    }
    let digits = u.toString(base);
    if (upper) digits = digits.toUpperCase();
    if (digits.length < prec) digits = "0".repeat(prec - digits.length) + digits;
    if (f.sharp) {
      if (base === 2) digits = `0b${digits}`;
      else if (base === 8 && digits[0] !== "0") digits = `0${digits}`;
      else if (base === 16) digits = (upper ? "0X" : "0x") + digits;
    }
    if (verb === "O") digits = `0o${digits}`;
    if (negative) digits = `-${digits}`;
    else if (f.plus) digits = `+${digits}`;
    else if (f.space) digits = ` ${digits}`;
    negative = false;
    const oldZero = f.zero;
    f.zero = false;
    this.pad(digits);
    f.zero = oldZero;
  }

  fmtFloatRaw(v: number, verb: string, prec: number): void {
    const f = this.f;
    if (f.precPresent) prec = f.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] === "-" || num[0] === "+") {
      // keep
    } else {
      num = `+${num}`;
    }
    if (f.space && num[0] === "+" && !f.plus) num = ` ${num.slice(1)}`;
    if (num[1] === "I" || num[1] === "N") {
      const oldZero = f.zero;
      f.zero = false;
      if (num[1] === "N" && !f.space && !f.plus) num = num.slice(1);
      this.pad(num);
      f.zero = oldZero;
      return;
    }
    if (f.sharp && verb !== "b") {
      let digits = 0;
      if (verb === "v" || verb === "g" || verb === "G" || verb === "x") {
        digits = prec;
        if (digits === -1) digits = 6;
      }
      let tail = "";
      let hasDecimalPoint = false;
      let sawNonzeroDigit = false;
      for (let i = 1; i < num.length; i++) {
        const c = num[i] as string;
        if (c === ".") {
          hasDecimalPoint = true;
        } else if (c === "p" || c === "P" || ((c === "e" || c === "E") && verb !== "x" && verb !== "X")) {
          tail = num.slice(i);
          num = num.slice(0, i);
          break;
        } else {
          if (c !== "0") sawNonzeroDigit = true;
          if (sawNonzeroDigit) digits--;
        }
      }
      if (!hasDecimalPoint) {
        if (num.length === 2 && num[1] === "0") digits--;
        num += ".";
      }
      while (digits > 0) {
        num += "0";
        digits--;
      }
      num += tail;
    }
    if (f.plus || num[0] !== "+") {
      if (f.zero && !f.minus && f.widPresent && f.wid > num.length) {
        this.buf += num[0];
        this.writePadding(f.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  fmtFloat(v: number, verb: string): void {
    switch (verb) {
      case "v":
        this.fmtFloatRaw(v, "g", -1);
        break;
      case "b":
      case "g":
      case "G":
      case "x":
      case "X":
        this.fmtFloatRaw(v, verb, -1);
        break;
      case "f":
      case "e":
      case "E":
      case "F":
        this.fmtFloatRaw(v, verb === "F" ? "f" : verb, 6);
        break;
      default:
        this.badVerb(verb, v);
    }
  }

  truncate(s: string): string {
    if (this.f.precPresent) {
      let n = this.f.prec;
      for (let i = 0; i < s.length; ) {
        n--;
        if (n < 0) return s.slice(0, i);
        i += decodeRune(s, i)[1];
      }
    }
    return s;
  }

  fmtSx(s: string, upper: boolean): void {
    const f = this.f;
    const digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    let length = s.length;
    if (f.precPresent && f.prec < length) length = f.prec;
    let width = 2 * length;
    if (width > 0) {
      if (f.space) {
        if (f.sharp) width *= 2;
        width += length - 1;
      } else if (f.sharp) {
        width += 2;
      }
    } else {
      if (f.widPresent) this.writePadding(f.wid);
      return;
    }
    if (f.widPresent && f.wid > width && !f.minus) this.writePadding(f.wid - width);
    const x = upper ? "X" : "x";
    let out = f.sharp ? `0${x}` : "";
    for (let i = 0; i < length; i++) {
      if (f.space && i > 0) {
        out += " ";
        if (f.sharp) out += `0${x}`;
      }
      const c = s.charCodeAt(i);
      out += (digits[c >> 4] as string) + (digits[c & 15] as string);
    }
    this.buf += out;
    if (f.widPresent && f.wid > width && f.minus) this.writePadding(f.wid - width);
  }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.f.sharp && canBackquote(s)) {
      this.pad(`\`${s}\``);
      return;
    }
    this.pad(quote(s, this.f.plus));
  }

  fmtString(s: string, verb: string, arg: GoValue): void {
    switch (verb) {
      case "v":
        if (this.f.sharpV) this.fmtQ(s);
        else this.pad(this.truncate(s));
        break;
      case "s":
        this.pad(this.truncate(s));
        break;
      case "x":
        this.fmtSx(s, false);
        break;
      case "X":
        this.fmtSx(s, true);
        break;
      case "q":
        this.fmtQ(s);
        break;
      default:
        this.badVerb(verb, arg);
    }
  }

  fmtIntVerb(v: GoInt, verb: string): void {
    const signed = !v.type.startsWith("uint");
    switch (verb) {
      case "v":
        if (this.f.sharpV && !signed) {
          const sharp = this.f.sharp;
          this.f.sharp = true;
          this.fmtInteger(v.value, signed, 16, "v", false);
          this.f.sharp = sharp;
        } else {
          this.fmtInteger(v.value, signed, 10, verb, false);
        }
        break;
      case "d":
        this.fmtInteger(v.value, signed, 10, verb, false);
        break;
      case "b":
        this.fmtInteger(v.value, signed, 2, verb, false);
        break;
      case "o":
      case "O":
        this.fmtInteger(v.value, signed, 8, verb, false);
        break;
      case "x":
        this.fmtInteger(v.value, signed, 16, verb, false);
        break;
      case "X":
        this.fmtInteger(v.value, signed, 16, verb, true);
        break;
      case "c": {
        const u = signed ? v.value : BigInt.asUintN(64, v.value);
        const r = u < 0n || u > 0x10ffffn ? runeError : Number(u);
        this.pad(encodeRune(r));
        break;
      }
      case "q": {
        const u = v.value;
        const r = u < 0n || u > 0x10ffffn ? runeError : Number(u);
        this.pad(quoteRune(r, this.f.plus));
        break;
      }
      case "U": {
        const u = BigInt.asUintN(64, v.value);
        let s = `U+${u.toString(16).toUpperCase().padStart(4, "0")}`;
        if (this.f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += ` '${encodeRune(Number(u))}'`;
        const oldZero = this.f.zero;
        this.f.zero = false;
        this.pad(s);
        this.f.zero = oldZero;
        break;
      }
      default:
        this.badVerb(verb, v);
    }
  }

  badVerb(verb: string, arg: GoValue): void {
    this.erroring = true;
    this.buf += `%!${verb}(`;
    if (arg === undefined || arg === null) {
      this.buf += "<nil>";
    } else {
      this.buf += `${typeName(arg)}=`;
      this.printArg(arg, "v");
    }
    this.buf += ")";
    this.erroring = false;
  }

  /** fmt's handleMethods for the Stringer types the model has. */
  handleMethods(arg: GoValue, verb: string): boolean {
    if (this.erroring) return false;
    if (arg instanceof GoOpaque && !this.f.sharpV) {
      if (verb === "v" || verb === "s" || verb === "x" || verb === "X" || verb === "q") {
        this.fmtString(arg.string(), verb, arg);
        return true;
      }
    }
    return false;
  }

  printArg(arg: GoValue, verb: string): void {
    if (arg === undefined || arg === null) {
      if (verb === "T" || verb === "v") this.pad("<nil>");
      else this.badVerb(verb, arg);
      return;
    }
    if (verb === "T") {
      this.pad(this.truncate(typeName(arg)));
      return;
    }
    if (verb === "p") {
      this.badVerb(verb, arg);
      return;
    }
    if (this.handleMethods(arg, verb)) return;
    this.printValue(arg, verb, 0);
  }

  printValue(v: GoValue, verb: string, depth: number): void {
    if (depth > 0 && v !== undefined && v !== null && this.handleMethods(v, verb)) return;
    if (v === undefined || v === null) {
      // A nil interface inside a container prints the same for every verb.
      this.buf += this.f.sharpV ? "interface {}(nil)" : "<nil>";
      return;
    }
    if (typeof v === "boolean") {
      if (verb === "t" || verb === "v") this.pad(v ? "true" : "false");
      else this.badVerb(verb, v);
      return;
    }
    if (typeof v === "number") {
      this.fmtFloat(v, verb);
      return;
    }
    if (v instanceof GoInt) {
      this.fmtIntVerb(v, verb);
      return;
    }
    if (typeof v === "string" || v instanceof JsonNumber) {
      const s = typeof v === "string" ? v : v.source;
      if (this.f.sharpV && v instanceof JsonNumber) {
        this.buf += `"${s}"`;
        return;
      }
      this.fmtString(s, verb, v);
      return;
    }
    if (v instanceof GoMap) {
      if (this.f.sharpV) {
        this.buf += typeName(v);
        if (v.isNil) {
          this.buf += "(nil)";
          return;
        }
        this.buf += "{";
      } else {
        this.buf += "map[";
      }
      const keys = sortedKeys(v);
      keys.forEach((k, i) => {
        if (i > 0) this.buf += this.f.sharpV ? ", " : " ";
        this.printValue(k, verb, depth + 1);
        this.buf += ":";
        this.printValue(v.entries.get(k), verb, depth + 1);
      });
      this.buf += this.f.sharpV ? "}" : "]";
      return;
    }
    if (v instanceof GoSlice) {
      if (this.f.sharpV) {
        this.buf += typeName(v);
        if (v.isNil) {
          this.buf += "(nil)";
          return;
        }
        this.buf += "{";
        v.items.forEach((x, i) => {
          if (i > 0) this.buf += ", ";
          this.printValue(x, verb, depth + 1);
        });
        this.buf += "}";
      } else {
        this.buf += "[";
        v.items.forEach((x, i) => {
          if (i > 0) this.buf += " ";
          this.printValue(x, verb, depth + 1);
        });
        this.buf += "]";
      }
      return;
    }
    if (v instanceof GoStruct) {
      if (v.pointer) {
        if (depth === 0) {
          this.buf += "&";
          this.printStruct(v, verb, depth + 1);
        } else {
          this.buf += "0xc000010000";
        }
        return;
      }
      this.printStruct(v, verb, depth);
      return;
    }
    // Not a Stringer verb: fmt prints the value's underlying struct.
    const view = v.structView();
    if (view !== undefined) this.printValue(view, verb, depth);
    else this.fmtString(v.string(), verb, v);
  }

  printStruct(v: GoStruct, verb: string, depth: number): void {
    if (this.f.sharpV) this.buf += v.typeName;
    this.buf += "{";
    v.fields.forEach((field, i) => {
      if (i > 0) this.buf += this.f.sharpV ? ", " : " ";
      if (this.f.plusV || this.f.sharpV) this.buf += `${field.name}:`;
      const value = v.values.get(field.name);
      if (value === null || value === undefined) {
        // A nil map field prints as map[] (typed nil), an interface field as <nil>.
        this.buf += field.type.startsWith("map[") ? "map[]" : "<nil>";
      } else {
        this.printValue(value, verb, depth + 1);
      }
    });
    this.buf += "}";
  }

  doPrint(args: readonly GoValue[]): void {
    let prevString = false;
    args.forEach((arg, i) => {
      const isStr = typeof arg === "string" || arg instanceof JsonNumber;
      if (i > 0 && !isStr && !prevString) this.buf += " ";
      this.printArg(arg, "v");
      prevString = isStr;
    });
  }

  doPrintln(args: readonly GoValue[]): void {
    args.forEach((arg, i) => {
      if (i > 0) this.buf += " ";
      this.printArg(arg, "v");
    });
    this.buf += "\n";
  }

  doPrintf(format: string, a: readonly GoValue[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    let reordered = false;
    let goodArgNum = true;

    const parsenum = (start: number): [number, boolean, number] => {
      if (start >= end) return [0, false, end];
      let num = 0;
      let isnum = false;
      let i = start;
      for (
        ;
        i < end && format[i] !== undefined && (format[i] as string) >= "0" && (format[i] as string) <= "9";
        i++
      ) {
        if (tooLarge(num)) return [0, false, end];
        num = num * 10 + (format.charCodeAt(i) - 48);
        isnum = true;
      }
      return [num, isnum, i];
    };
    const argNumber = (i: number): [number, number, boolean] => {
      if (format.length <= i || format[i] !== "[") return [argNum, i, false];
      reordered = true;
      // parseArgNumber
      let index = 0;
      let wid = 1;
      let ok = false;
      const sub = format.slice(i);
      let found = false;
      for (let j = 1; j < sub.length; j++) {
        if (sub[j] === "]") {
          found = true;
          let num = 0;
          let isnum = false;
          let k = 1;
          for (; k < j && (sub[k] as string) >= "0" && (sub[k] as string) <= "9"; k++) {
            if (tooLarge(num)) break;
            num = num * 10 + (sub.charCodeAt(k) - 48);
            isnum = true;
          }
          if (!isnum || k !== j) {
            index = 0;
            wid = j + 1;
            ok = false;
          } else {
            index = num - 1;
            wid = j + 1;
            ok = true;
          }
          break;
        }
      }
      if (!found) {
        index = 0;
        wid = 1;
        ok = false;
      }
      if (ok && index >= 0 && index < a.length) return [index, i + wid, true];
      goodArgNum = false;
      return [argNum, i + wid, ok];
    };
    const intFromArg = (): [number, boolean] => {
      let num = 0;
      let isInt = false;
      if (argNum < a.length) {
        const v = a[argNum];
        if (v instanceof GoInt) {
          const n = v.value;
          if (n >= -(2n ** 63n) && n < 2n ** 63n) {
            num = Number(n);
            isInt = true;
          }
        }
        argNum++;
        if (tooLarge(num)) {
          num = 0;
          isInt = false;
        }
      }
      return [num, isInt];
    };

    formatLoop: for (let i = 0; i < end; ) {
      goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== "%") i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.f = clearFlags();
      const f = this.f;
      simpleFormat: for (; i < end; i++) {
        const c = format[i] as string;
        switch (c) {
          case "#":
            f.sharp = true;
            break;
          case "0":
            f.zero = true;
            break;
          case "+":
            f.plus = true;
            break;
          case "-":
            f.minus = true;
            break;
          case " ":
            f.space = true;
            break;
          default:
            if (c >= "a" && c <= "z" && argNum < a.length) {
              if (c === "v" || c === "w") {
                f.sharpV = f.sharp;
                f.sharp = false;
                f.plusV = f.plus;
                f.plus = false;
              }
              if (c === "w") {
                this.badVerb("w", a[argNum]);
              } else {
                this.printArg(a[argNum], c);
              }
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }
      [argNum, i, afterIndex] = argNumber(i);
      if (i < end && format[i] === "*") {
        i++;
        [f.wid, f.widPresent] = intFromArg();
        if (!f.widPresent) this.buf += "%!(BADWIDTH)";
        if (f.wid < 0) {
          f.wid = -f.wid;
          f.minus = true;
          f.zero = false;
        }
        afterIndex = false;
      } else {
        [f.wid, f.widPresent, i] = parsenum(i);
        if (afterIndex && f.widPresent) goodArgNum = false;
      }
      if (i + 1 < end && format[i] === ".") {
        i++;
        if (afterIndex) goodArgNum = false;
        [argNum, i, afterIndex] = argNumber(i);
        if (i < end && format[i] === "*") {
          i++;
          [f.prec, f.precPresent] = intFromArg();
          if (f.prec < 0) {
            f.prec = 0;
            f.precPresent = false;
          }
          if (!f.precPresent) this.buf += "%!(BADPREC)";
          afterIndex = false;
        } else {
          [f.prec, f.precPresent, i] = parsenum(i);
          if (!f.precPresent) {
            f.prec = 0;
            f.precPresent = true;
          }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = argNumber(i);
      if (i >= end) {
        this.buf += "%!(NOVERB)";
        break;
      }
      const [r, size] = decodeRune(format, i);
      const verb = encodeRune(r);
      i += size;
      if (verb === "%") {
        this.buf += "%";
      } else if (!goodArgNum) {
        this.buf += `%!${verb}(BADINDEX)`;
      } else if (argNum >= a.length) {
        this.buf += `%!${verb}(MISSING)`;
      } else {
        if (verb === "v" || verb === "w") {
          f.sharpV = f.sharp;
          f.sharp = false;
          f.plusV = f.plus;
          f.plus = false;
        }
        if (verb === "w") this.badVerb("w", a[argNum]);
        else this.printArg(a[argNum], verb);
        argNum++;
      }
    }
    if (!reordered && argNum < a.length) {
      this.f = clearFlags();
      this.buf += "%!(EXTRA ";
      a.slice(argNum).forEach((arg, i) => {
        if (i > 0) this.buf += ", ";
        if (arg === undefined || arg === null) {
          this.buf += "<nil>";
        } else {
          this.buf += `${typeName(arg)}=`;
          this.printArg(arg, "v");
        }
      });
      this.buf += ")";
    }
  }
}

export function sprint(args: readonly GoValue[]): string {
  const p = new Printer();
  p.doPrint(args);
  return p.buf;
}

export function sprintln(args: readonly GoValue[]): string {
  const p = new Printer();
  p.doPrintln(args);
  return p.buf;
}

export function sprintf(format: string, args: readonly GoValue[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/** fmt.Sprint of one value (%v). */
export function formatValue(v: GoValue): string {
  return sprint([v]);
}
