/**
 * C identifiers for emitted code: sanitising layer / project names into valid, non-reserved,
 * unique C++ identifiers, reporting every change.
 */

/** C++ keywords and names the emitted code cannot use bare. */
const RESERVED = new Set(
  (
    'alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t class compl concept ' +
    'const consteval constexpr constinit const_cast continue co_await co_return co_yield decltype default delete do double ' +
    'dynamic_cast else enum explicit export extern false float for friend goto if inline int long mutable namespace new ' +
    'noexcept not not_eq nullptr operator or or_eq private protected public register reinterpret_cast requires return short ' +
    'signed sizeof static static_assert static_cast struct switch template this thread_local throw true try typedef typeid ' +
    'typename union unsigned using virtual void volatile wchar_t while xor xor_eq main std hls nnet hlsemu ap_fixed ap_ufixed ' +
    'ap_int ap_uint NULL'
  ).split(' '),
);

/**
 * Turn `name` into a C++ identifier: invalid characters become `_`, runs of `_` collapse (names
 * with `__` are reserved), a leading digit or underscore gets an `l` prefix, keywords get a `_`
 * suffix. Returns the name unchanged when it is already fine.
 *
 * @example cIdentifier('conv2d-1'); // 'conv2d_1'
 * @example cIdentifier('1st layer'); // 'l1st_layer'
 */
export function cIdentifier(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/_{2,}/g, '_');
  if (s === '' || s === '_') s = 'l';
  if (/^[0-9_]/.test(s)) s = `l${s.replace(/^_+/, '_')}`.replace(/_{2,}/g, '_');
  if (RESERVED.has(s)) s = `${s}_`;
  return s;
}

/**
 * Allocates unique identifiers, recording renames as warnings.
 *
 * @example
 * const names = new NameTable(['main']);
 * names.take('conv-1', 'layer'); // 'conv_1'
 * names.warnings; // ["layer 'conv-1' is emitted as 'conv_1' (not a valid C++ identifier)"]
 */
export class NameTable {
  private readonly used = new Set<string>();
  readonly warnings: string[] = [];

  /** Reserve identifiers the emitted code uses itself. */
  constructor(reserved: readonly string[] = []) {
    for (const r of reserved) this.used.add(r);
  }

  /**
   * A unique identifier for `name` (`what` describes it in the warning, e.g. "layer"). `derive`
   * lists the identifiers the emitter will build from it; none may clash with earlier ones.
   *
   * @example new NameTable().take('dense-1', 'layer'); // 'dense_1' (+ a warning)
   */
  take(name: string, what: string, derive: (id: string) => string[] = (id) => [id]): string {
    const base = cIdentifier(name);
    let id = base;
    for (let k = 2; derive(id).some((d) => this.used.has(d)) || this.used.has(id); k++) id = `${base}_${k}`;
    this.used.add(id);
    for (const d of derive(id)) this.used.add(d);
    if (id !== name) {
      const why = base !== name ? 'not a valid C++ identifier' : 'clashes with another name';
      this.warnings.push(`${what} '${name}' is emitted as '${id}' (${why})`);
    }
    return id;
  }
}
