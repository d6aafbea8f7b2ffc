#!/usr/bin/env ruby
# frozen_string_literal: true

# ruby-offsets.rb - print a `struct ruby_layout` initializer (user/layouts/layout.h) for one
# Ruby build, read from that build's DWARF with gdb.
#
#   ruby scripts/ruby-offsets.rb PATH-TO-libruby.so-or-ruby [VERSION]
#
# The build must have debug info (Ruby's default -ggdb3 does). Every expression goes into one
# gdb invocation, because starting gdb on libruby costs more than all the queries together.
# Each printed line names the struct/field it came from. Where a field does not exist in this
# version the output has a `/* MISSING: ... */` line, with what the struct holds instead, and
# the field is left out: the numbers of another version are never assumed.
#
# Only the Ruby standard library is used; gdb and readelf (binutils) must be on PATH.

require "open3"

FL_USHIFT = 12 # RUBY_FL_USHIFT; checked against the build below

# One value of the layout: `name` is the struct ruby_layout member (the .vm ones are printed
# inside the nested block), `value` an Integer, [Integer, :hex | :flag] or C text, `source` the
# comment naming where it came from, `missing` why there is no value.
Field = Struct.new(:name, :value, :source, :missing, keyword_init: true)

# ---------------------------------------------------------------------------------------
# Asking gdb

# One gdb question. `kind` is :int (print/d of an expression), :text (any command whose
# whole output we want, e.g. ptype /o or whatis).
Query = Struct.new(:key, :kind, :command)

# Collects questions, runs them in one gdb process and hands back the answers by key.
class Gdb
  MARK = "@@rbq "

  def initialize(path)
    @path = path
    @queries = []
  end

  def int(key, expr)
    @queries << Query.new(key, :int, "print/d (long)(#{expr})")
  end

  def text(key, command)
    @queries << Query.new(key, :text, command)
  end

  # Runs gdb once; returns { key => Integer or String (answer) or Error (gdb's complaint) }.
  def run
    args = ["gdb", "-batch", "-nx", "-iex", "set width 0", "-iex", "set height 0"]
    @queries.each do |q|
      # The marker separates answers: gdb keeps going after a failed -ex command.
      args.push("-ex", "echo \\n#{MARK}#{q.key}\\n", "-ex", q.command)
    end
    args.push("-ex", "echo \\n#{MARK}END\\n", @path)
    out, status = Open3.capture2e(*args)
    abort "gdb failed (#{status}):\n#{out}" unless out.include?("#{MARK}END")
    parse(out)
  end

  Error = Struct.new(:message) do
    def to_s = message
  end

  private

  def parse(out)
    answers = {}
    by_key = @queries.to_h { |q| [q.key, q] }
    out.split(/^#{Regexp.escape(MARK)}/).drop(1).each do |chunk|
      key, body = chunk.split("\n", 2)
      q = by_key[key] or next
      answers[key] = answer(q, body.to_s.strip)
    end
    answers
  end

  # gdb's complaints about names it does not know, as opposed to a printed answer.
  NOT_FOUND = /^(No symbol|No struct type|There is no member|A syntax error)/

  def answer(query, body)
    if query.kind == :int
      m = body.match(/^\$\d+ = (-?\d+)$/)
      m ? Integer(m[1]) : Error.new(body.lines.last.to_s.strip)
    else
      body.match?(NOT_FOUND) ? Error.new(body) : body
    end
  end
end

# ---------------------------------------------------------------------------------------
# What to ask: offsets as `TYPE.path`, sizes, constants.

# Where each field of the 3.1 layout lives. Alternatives are tried in order; a later one is
# the same field under a new path (reported as such), never a different field.
OFFSETS = {
  ec_vm_stack: ["rb_execution_context_t", %w[vm_stack]],
  ec_vm_stack_size: ["rb_execution_context_t", %w[vm_stack_size]],
  ec_cfp: ["rb_execution_context_t", %w[cfp]],
  ec_thread_ptr: ["rb_execution_context_t", %w[thread_ptr]],
  thread_ec: ["rb_thread_t", %w[ec]],
  cfp_pc: ["rb_control_frame_t", %w[pc]],
  cfp_iseq: ["rb_control_frame_t", %w[iseq]],
  cfp_ep: ["rb_control_frame_t", %w[ep]],
  cfp_jit_return: ["rb_control_frame_t", %w[jit_return]],
  iseq_body: ["struct rb_iseq_struct", %w[body]],
  body_iseq_size: ["struct rb_iseq_constant_body", %w[iseq_size]],
  body_iseq_encoded: ["struct rb_iseq_constant_body", %w[iseq_encoded]],
  body_pathobj: ["struct rb_iseq_constant_body", %w[location.pathobj]],
  body_label: ["struct rb_iseq_constant_body", %w[location.label]],
  body_type: ["struct rb_iseq_constant_body", %w[type]],
  body_local_iseq: ["struct rb_iseq_constant_body", %w[local_iseq]],
  body_parent_iseq: ["struct rb_iseq_constant_body", %w[parent_iseq]],
  body_first_lineno: ["struct rb_iseq_constant_body", %w[location.first_lineno]],
  body_insns_body: ["struct rb_iseq_constant_body", %w[insns_info.body]],
  body_insns_positions: ["struct rb_iseq_constant_body", %w[insns_info.positions]],
  body_insns_size: ["struct rb_iseq_constant_body", %w[insns_info.size]],
  body_succ_table: ["struct rb_iseq_constant_body", %w[insns_info.succ_index_table]],
  insn_info_line_no: ["struct iseq_insn_info_entry", %w[line_no]],
  me_def: ["rb_method_entry_t", %w[def]],
  def_iseqptr: ["rb_method_definition_t", %w[body.iseq.iseqptr]],
  def_bmethod_proc: ["rb_method_definition_t", %w[body.bmethod.proc]],
  typeddata_data: ["struct RTypedData", %w[data]],
  proc_block_iseq: ["rb_proc_t", %w[block.as.captured.code.iseq]],
  me_owner: ["rb_method_entry_t", %w[owner]],
  def_original_id: ["rb_method_definition_t", %w[original_id]],
  class_ext: ["struct RClass", %w[ptr]],
  classext_iv_tbl: ["struct rb_classext_struct", %w[iv_tbl]],
  st_entries_start: ["struct st_table", %w[entries_start]],
  st_entries_bound: ["struct st_table", %w[entries_bound]],
  st_entries: ["struct st_table", %w[entries]],
  vm_objspace: ["rb_vm_t", %w[objspace gc.objspace]],
  objspace_flags: ["struct rb_objspace", %w[flags]],
  rstring_embed: ["struct RString", %w[as.embed.ary as.ary]], # as.ary up to 3.0
  rstring_heap_len: ["struct RString", %w[as.heap.len]],
  rstring_heap_ptr: ["struct RString", %w[as.heap.ptr]],
  classext_embedded: ["struct RClass_and_rb_classext_t", %w[classext]], # 3.3+: no RClass.ptr
  classext_classpath: ["struct rb_classext_struct", %w[classpath]], # 3.3+
  classext_attached: ["struct rb_classext_struct", %w[as.singleton_class.attached_object]],
  classext_iv_ptr: ["struct rb_classext_struct", %w[iv_ptr]], # 3.2: values in shape order
  vm_shape_list: ["rb_vm_t", %w[shape_list]],
  shape_edge_name: ["rb_shape_t", %w[edge_name]],
  shape_next_iv_index: ["rb_shape_t", %w[next_iv_index]],
  shape_type: ["rb_shape_t", %w[type]],
  shape_parent_id: ["rb_shape_t", %w[parent_id]],
  rstring_len: ["struct RString", %w[len]],             # 3.3+: only to tell layouts apart
  rstring_embed_len: ["struct RString", %w[as.embed.len]], # 3.2: ditto
  rarray_embed_ary: ["struct RArray", %w[as.ary]],
  rarray_heap_len: ["struct RArray", %w[as.heap.len]],
  rarray_heap_ptr: ["struct RArray", %w[as.heap.ptr]],
  # A thread's state (thread_fields below): rb_thread_t.status is a bitfield, read from ptype.
  thread_blocking_region: ["rb_thread_t", %w[blocking_region_buffer]],
  thread_ractor: ["rb_thread_t", %w[ractor]], # 3.0+: the GVL is the ractor's
  thread_vm: ["rb_thread_t", %w[vm]],         # 2.7: the VM's
  ractor_sched_running: ["struct rb_ractor_struct", %w[threads.sched.running]], # 3.2+
  ractor_gvl_owner: ["struct rb_ractor_struct", %w[threads.gvl.owner]],         # 3.0-3.1
  vm_gvl_owner: ["rb_vm_t", %w[gvl.owner]],                                     # 2.7
  vm_living_threads: ["rb_vm_t", %w[living_threads]],                           # <= 2.7
  thread_vmlt_node: ["rb_thread_t", %w[vmlt_node]]
}.freeze

# Offsets inside the global `ruby_global_symbols` (its type, rb_symbols_t, is a typedef
# local to symbol.c in some versions, so measure from the variable instead).
SYMBOL_OFFSETS = { symbols_last_id: "last_id", symbols_ids: "ids" }.freeze

SIZES = {
  cfp_size: "rb_control_frame_t",
  insn_info_size: "struct iseq_insn_info_entry",
  rclass: "struct RClass", # 3.2: rb_classext_t follows it
  shape_size: "rb_shape_t",
  shape_id: "shape_id_t"
}.freeze

# Enum constants (in DWARF without macro info). Macros need -ggdb3 and a scope, see below.
CONSTANTS = %w[
  RUBY_FL_USHIFT RUBY_FL_SINGLETON RUBY_ID_SCOPE_SHIFT tLAST_OP_ID
  RSTRING_NOEMBED RSTRING_EMBED_LEN_MASK RSTRING_EMBED_LEN_SHIFT
  RARRAY_EMBED_FLAG RARRAY_EMBED_LEN_MASK RARRAY_EMBED_LEN_SHIFT
  SHAPE_IVAR
].freeze

# Structs whose members are listed when a field is missing, to say what replaced it.
LISTED_TYPES = {
  "RString" => "struct RString",
  "RClass" => "struct RClass",
  "classext" => "struct rb_classext_struct",
  "symbols" => "ruby_global_symbols",
  "location" => "rb_iseq_location_t",
  "typeddata" => "struct RTypedData",
  "definition" => "rb_method_definition_t",
  "thread" => "rb_thread_t"
}.freeze

# A function defined in symbol.c: `list` on it makes symbol.c the scope in which gdb looks
# up its file-static constants and macros (ID_ENTRY_UNIT is a `static const int` in 3.x).
SYMBOL_C_FUNCTION = "rb_sym2str"
# The same for shape.h's macros (SHAPE_FLAG_SHIFT, SHAPE_BITMAP_SIZE), from a shape.c function.
SHAPE_C_FUNCTION = "rb_shape_get_iv_index"

def ask_gdb(path)
  gdb = Gdb.new(path)
  OFFSETS.each do |name, (type, paths)|
    paths.each_with_index { |p, i| gdb.int("off.#{name}.#{i}", "&((#{type} *)0)->#{p}") }
  end
  SYMBOL_OFFSETS.each do |name, member|
    gdb.int("off.#{name}.0",
            "(char *)&ruby_global_symbols.#{member} - (char *)&ruby_global_symbols")
  end
  SIZES.each { |name, type| gdb.int("size.#{name}", "sizeof(#{type})") }
  CONSTANTS.each { |c| gdb.int("const.#{c}", c) }
  gdb.text("whatis.first_lineno",
           "whatis ((struct rb_iseq_constant_body *)0)->location.first_lineno")
  gdb.text("ptype.gcflags", "ptype /o ((struct rb_objspace *)0)->flags")
  LISTED_TYPES.each { |key, type| gdb.text("list.#{key}", "ptype /o #{type}") }
  gdb.text("version", "print ruby_version")
  gdb.text("description", "print ruby_description")
  gdb.text("scope", "list #{SYMBOL_C_FUNCTION},#{SYMBOL_C_FUNCTION}")
  gdb.int("const.ID_ENTRY_UNIT", "ID_ENTRY_UNIT")
  gdb.text("scope.shape", "list #{SHAPE_C_FUNCTION},#{SHAPE_C_FUNCTION}")
  %w[SHAPE_FLAG_SHIFT SHAPE_BITMAP_SIZE].each { |c| gdb.int("const.#{c}", c) }
  gdb.run
end

# ---------------------------------------------------------------------------------------
# Turning answers into fields

# The first alternative path that exists, as [offset, path index], or nil.
def offset_of(answers, name)
  OFFSETS.fetch(name, nil)&.last&.each_index do |i|
    v = answers["off.#{name}.#{i}"]
    return [v, i] if v.is_a?(Integer)
  end
  v = answers["off.#{name}.0"]
  v.is_a?(Integer) ? [v, 0] : nil
end

# Members of a struct as gdb's `ptype /o` prints them: [[offset, name, type-ish text]].
def members(ptype_text)
  return [] unless ptype_text.is_a?(String)

  ptype_text.each_line.filter_map do |line|
    m = line.match(%r{^/\*\s+(\d+)(?::\s*\d+)?\s+\|\s+\d+\s+\*/\s+(.*?)\s*;?\s*$}) or next
    decl = m[2].sub(/\s*\{\s*$/, "")
    name = decl[/(\w+)(\s*\[\d*\])?(\s*:\s*\d+)?$/, 1] || decl
    [Integer(m[1]), name, decl]
  end
end

# "`VALUE *iv_ptr` at 0, ..." for the members whose name matches `pattern`.
def describe_members(answers, list_key, pattern)
  found = members(answers["list.#{list_key}"]).select { |_, name, _| name.match?(pattern) }
  return "nothing similar" if found.empty?

  found.map { |off, _, decl| "`#{decl}` at #{off}" }.uniq.join(", ")
end

def source_of(name)
  type, paths = OFFSETS.fetch(name)
  "#{type.sub(/^struct /, "")}.#{paths.first}"
end

# A plain offset field; `hint` is [list key, member pattern] for a MISSING explanation,
# `also` more words for it.
def offset_field(answers, name, hint = nil, also: nil)
  off, i = offset_of(answers, name)
  if off.nil?
    why = "#{source_of(name)} does not exist"
    why += "; found instead: #{describe_members(answers, *hint)}" if hint
    why += "; #{also}" if also
    return Field.new(name: name, missing: why)
  end
  type, paths = OFFSETS.fetch(name)
  src = "#{type.sub(/^struct /, "")}.#{paths[i]}"
  src += " (not .#{paths.first})" if i.positive?
  Field.new(name: name, value: off, source: src)
end

def symbols_field(answers, name)
  v = answers["off.#{name}.0"]
  member = SYMBOL_OFFSETS.fetch(name)
  if v.is_a?(Integer)
    return Field.new(name: name, value: v, source: "ruby_global_symbols.#{member} (rb_symbols_t)")
  end

  Field.new(name: name, missing: "ruby_global_symbols has no #{member}; it holds: " \
                                  "#{describe_members(answers, "symbols", /./)}")
end

def size_field(answers, name)
  v = answers["size.#{name}"]
  return Field.new(name: name, value: v, source: "sizeof(#{SIZES[name]})") if v.is_a?(Integer)

  Field.new(name: name, missing: "sizeof(#{SIZES[name]}): #{v}")
end

def const(answers, name)
  v = answers["const.#{name}"]
  v.is_a?(Integer) ? v : nil
end

def const_field(answers, name, constant)
  v = const(answers, constant)
  return Field.new(name: name, missing: "#{constant} is not in the debug info") if v.nil?

  Field.new(name: name, value: v, source: constant)
end

# first_lineno: a tagged Fixnum VALUE up to 3.1, an int from 3.2 on.
def first_lineno_fixnum_field(answers)
  type = answers["whatis.first_lineno"]
  unless type.is_a?(String)
    return Field.new(name: :first_lineno_fixnum, missing: "type of location.first_lineno: #{type}")
  end

  type = type.sub(/^type = /, "").strip
  fixnum = { "VALUE" => 1, "int" => 0 }[type]
  if fixnum.nil?
    return Field.new(name: :first_lineno_fixnum, missing: "location.first_lineno is `#{type}`")
  end

  Field.new(name: :first_lineno_fixnum, value: fixnum, source: "location.first_lineno is `#{type}`")
end

# Bit masks of bitfields in rb_objspace.flags, from `ptype /o` ("byte: bit | size").
def gc_flag_field(answers, name, member)
  text = answers["ptype.gcflags"]
  line = text.is_a?(String) && text.each_line.find { |l| l.match?(/\b#{member}\s*:\s*\d+;/) }
  unless line
    return Field.new(name: name, missing: "rb_objspace.flags.#{member} not found " \
                                          "(struct rb_objspace: #{text.to_s.lines.first&.strip})")
  end
  byte, bit = line.match(%r{/\*\s*(\d+):\s*(\d+)})&.captures&.map(&:to_i)
  width = line[/:\s*(\d+);/, 1].to_i
  mask = ((1 << width) - 1) << (byte * 8 + bit)
  Field.new(name: name, value: [mask, :hex], source: "rb_objspace.flags.#{member} : #{width}")
end

# ---------------------------------------------------------------------------------------
# A thread's state: rb_thread_t.status, whether it is in a blocking region, and the GVL holder

# rb_thread_t.status, `BITFIELD(enum rb_thread_status, status, 2)` (internal/compilers.h,
# internal.h in 2.7): a 2-bit bitfield with C99, an `unsigned int status : 2` without; a plain
# enum would do as well (little endian: its values 0-3 in the low bits of its first byte).
# ptype /o prints "byte: bit | size" for a bitfield, "byte | size" for a whole member, and
# indents the members of nested structs further than rb_thread_t's own (4 spaces).
def thread_status_fields(answers)
  text = answers["list.thread"]
  own = %r{\*/ {4}\S.*\bstatus(\s*:\s*\d+)?;}
  line = text.is_a?(String) && text.each_line.find { |l| l.match?(own) }
  unless line
    why = "rb_thread_t.status not found (rb_thread_t: #{text.to_s.lines.first&.strip})"
    return [Field.new(name: :thread_status, missing: why)]
  end
  byte, bit = line.match(%r{/\*\s*(\d+)(?::\s*(\d+))?\s*\|})&.captures
  width = line[/:\s*(\d+);/, 1]&.to_i
  decl = line.sub(%r{^\s*/\*.*?\*/\s*}, "").strip.chomp(";")
  bit = bit.to_i
  if width && bit + width > 8
    return [Field.new(name: :thread_status, missing: "rb_thread_t.status (`#{decl}`) crosses " \
                                                     "a byte: bits #{bit}-#{bit + width - 1}")]
  end
  what = width ? "bitfield `#{decl}`" : "`#{decl}`, not a bitfield: its low byte"
  [Field.new(name: :thread_status, value: Integer(byte), source: "rb_thread_t.status: #{what}"),
   Field.new(name: :thread_status_shift, value: bit,
             source: width ? "rb_thread_t.status: bits #{bit}-#{bit + width - 1} of that byte"
                           : "rb_thread_t.status is a whole member")]
end

# The GVL holder, *(th + thread_sched_base) + sched_running: the ractor's scheduler (3.2+) or
# GVL (3.0-3.1) when rb_thread_t has a ractor, else the VM's GVL (2.7); with the VM's, the list
# of every thread (rb_vm_t.living_threads, linked at rb_thread_t.vmlt_node).
def thread_sched_fields(a)
  if offset_of(a, :thread_ractor)
    running = offset_of(a, :ractor_sched_running) ? :ractor_sched_running : :ractor_gvl_owner
    base = offset_field(a, :thread_ractor)
    fields = [offset_field(a, running)]
  else
    base = offset_field(a, :thread_vm, also: "nor rb_thread_t.ractor")
    fields = [offset_field(a, :vm_gvl_owner), offset_field(a, :vm_living_threads),
              offset_field(a, :thread_vmlt_node)]
  end
  base.name = :thread_sched_base
  fields.first.name = :sched_running
  [base, *fields]
end

def thread_fields(a)
  [thread_status_fields(a), offset_field(a, :thread_blocking_region, ["thread", /blocking/]),
   thread_sched_fields(a)].flatten
end

# ---------------------------------------------------------------------------------------
# RString: three layouts so far, and enum rstring_kind only names the first one.

# Which RString layout this is, from which length field exists: a top-level `len` (3.3+),
# `as.embed.len` (3.2, variable-width embedding) or neither (length in flag bits, <= 3.1).
def rstring_layout(answers)
  if offset_of(answers, :rstring_len)
    :top_level_len
  elsif offset_of(answers, :rstring_embed_len)
    :embed_len
  elsif const(answers, "RSTRING_EMBED_LEN_MASK")
    :len_in_flags
  else
    :unknown
  end
end

# "len at 16, as.heap.ptr at 24, ..." for whichever of the known members exist.
def rstring_summary(answers)
  fields = %i[rstring_len rstring_embed_len rstring_embed rstring_heap_len rstring_heap_ptr]
  fields.filter_map do |f|
    off, = offset_of(answers, f)
    "#{OFFSETS[f].last.first} at #{off}" if off
  end.join(", ")
end

# The one length field of an RString that has one, as [offset, source], or nil: 3.3+ a
# top-level `len`; 3.2 `as.embed.len`, which sits where `as.heap.len` does, so that one read
# gives the length of embedded and heap strings alike (RSTRING_LEN_FIELD).
def rstring_len_field(answers, layout)
  case layout
  when :top_level_len
    off, = offset_of(answers, :rstring_len)
    [off, "RString.len"]
  when :embed_len
    embed, = offset_of(answers, :rstring_embed_len)
    heap, = offset_of(answers, :rstring_heap_len)
    [embed, "RString.as.embed.len = as.heap.len"] if embed == heap
  end
end

def rstring_kind_field(answers, layout, len)
  if layout == :len_in_flags
    Field.new(name: :rstring, value: "RSTRING_LEN_IN_FLAGS",
              source: "RSTRING_EMBED_LEN_MASK exists: embedded length in flag bits")
  elsif len
    Field.new(name: :rstring, value: "RSTRING_LEN_FIELD",
              source: "one length field, embedded or not: #{len[1]}")
  else
    Field.new(name: :rstring, missing: "no enum rstring_kind for this layout " \
                                       "(#{layout}): RString has #{rstring_summary(answers)}")
  end
end

# With RSTRING_LEN_FIELD the flag-bit length and as.heap.len are not used: not printed.
def rstring_fields(answers)
  layout = rstring_layout(answers)
  len = rstring_len_field(answers, layout)
  hint = ["RString", /len|ptr|ary/]
  fields = [rstring_kind_field(answers, layout, len),
            flag_field(answers, :rstring_noembed, "RSTRING_NOEMBED")]
  if layout == :len_in_flags
    fields << const_field(answers, :rstring_embed_len_shift, "RSTRING_EMBED_LEN_SHIFT")
    fields << embed_mask_field(answers, :rstring_embed_len_mask,
                               "RSTRING_EMBED_LEN_MASK", "RSTRING_EMBED_LEN_SHIFT")
  elsif len
    fields << Field.new(name: :rstring_len, value: len[0], source: len[1])
  end
  fields << offset_field(answers, :rstring_embed, hint)
  fields << offset_field(answers, :rstring_heap_len, hint) unless len
  fields << offset_field(answers, :rstring_heap_ptr, hint)
end

# ---------------------------------------------------------------------------------------
# Flags

# A single-bit flag, printed as FL_USER(n) like the hand-written table.
def flag_field(answers, name, constant)
  v = const(answers, constant)
  return Field.new(name: name, missing: "#{constant} is not in the debug info") if v.nil?

  Field.new(name: name, value: [v, :flag], source: constant)
end

# A length mask in the flags, stored shifted down (the table keeps it "after the shift").
def embed_mask_field(answers, name, mask, shift)
  m = const(answers, mask)
  s = const(answers, shift)
  unless m && s
    return Field.new(name: name, missing: "#{mask} or #{shift} is not in the debug info")
  end

  Field.new(name: name, value: [m >> s, :hex], source: "#{mask} >> #{shift}")
end

def rarray_fields(answers)
  [
    flag_field(answers, :rarray_embed, "RARRAY_EMBED_FLAG"),
    const_field(answers, :rarray_embed_len_shift, "RARRAY_EMBED_LEN_SHIFT"),
    embed_mask_field(answers, :rarray_embed_len_mask,
                     "RARRAY_EMBED_LEN_MASK", "RARRAY_EMBED_LEN_SHIFT"),
    offset_field(answers, :rarray_embed_ary),
    offset_field(answers, :rarray_heap_len),
    offset_field(answers, :rarray_heap_ptr)
  ]
end

# ---------------------------------------------------------------------------------------
# The whole layout, in the order of struct ruby_layout

def vm_fields(a)
  [offset_field(a, :ec_vm_stack), offset_field(a, :ec_vm_stack_size),
   offset_field(a, :ec_cfp), size_field(a, :cfp_size), offset_field(a, :cfp_pc),
   offset_field(a, :cfp_iseq), offset_field(a, :cfp_ep), offset_field(a, :cfp_jit_return)]
end

def iseq_fields(a)
  loc = ["location", /lineno|label|path/]
  [offset_field(a, :iseq_body), offset_field(a, :body_iseq_size),
   offset_field(a, :body_iseq_encoded), offset_field(a, :body_pathobj, loc),
   offset_field(a, :body_label, loc), offset_field(a, :body_type),
   offset_field(a, :body_local_iseq), offset_field(a, :body_parent_iseq),
   offset_field(a, :body_first_lineno, loc), first_lineno_fixnum_field(a),
   offset_field(a, :body_insns_body), offset_field(a, :body_insns_positions),
   offset_field(a, :body_insns_size), offset_field(a, :body_succ_table),
   size_field(a, :insn_info_size), offset_field(a, :insn_info_line_no)]
end

def method_fields(a)
  defn = ["definition", /body|original_id/]
  [offset_field(a, :me_def), offset_field(a, :def_iseqptr, defn),
   offset_field(a, :def_bmethod_proc, defn),
   offset_field(a, :typeddata_data, ["typeddata", /./]), offset_field(a, :proc_block_iseq),
   offset_field(a, :me_owner), offset_field(a, :def_original_id, defn)]
end

# 3.2+ (USE_RVARGC) allocate rb_classext_t in the class's own slot, right after struct RClass:
# 3.2 writes RCLASS_EXT(c) as (char *)c + sizeof(struct RClass), 3.3+ as
# &((struct RClass_and_rb_classext_t *)c)->classext. Either way there is no pointer to follow.
def class_ext_note(a)
  off, = offset_of(a, :classext_embedded)
  unless off
    return "no RClass_and_rb_classext_t; sizeof(struct RClass) = #{a["size.rclass"]} " \
           "(3.2 RCLASS_EXT: rb_classext_t right after struct RClass, if RVARGC)"
  end

  "rb_classext_t is embedded: RClass_and_rb_classext_t.classext at #{off} (no pointer)"
end

# Where a class keeps its path (enum class_path_kind in user/layouts/layout.h), from which
# structs and fields exist: an ivar st_table behind RClass.ptr (<= 3.1); ivar values in
# classext.iv_ptr, in the order of the class's object shape (3.2, RVARGC: no RClass.ptr);
# classpath fields of the classext embedded in RClass_and_rb_classext_t (3.3+).
def class_path_kind(a)
  if offset_of(a, :class_ext) && offset_of(a, :classext_iv_tbl)
    :ivars
  elsif offset_of(a, :classext_embedded) && offset_of(a, :classext_classpath)
    :fields
  elsif !offset_of(a, :class_ext) && offset_of(a, :classext_iv_ptr) && offset_of(a, :vm_shape_list)
    :shapes
  end
end

def ivar_table_fields(a)
  [Field.new(name: :class_path, value: "CLASS_PATH_IVARS",
             source: "RClass.ptr -> rb_classext_t.iv_tbl, an st_table"),
   offset_field(a, :class_ext), offset_field(a, :classext_iv_tbl)]
end

# "BASE + OFF", the offset of a classext field from the class, as [text, source] or nil.
def embedded_classext(a, name)
  base, = offset_of(a, :classext_embedded)
  off, = offset_of(a, name)
  ["#{base} + #{off}", "RClass_and_rb_classext_t.classext.#{OFFSETS[name].last.first}"] if off
end

def classext_fields(a)
  fields = [Field.new(name: :class_path, value: "CLASS_PATH_FIELDS",
                      source: "rb_classext_t embedded in RClass_and_rb_classext_t")]
  { class_classpath: :classext_classpath, class_attached: :classext_attached }.each do |f, src|
    text, source = embedded_classext(a, src)
    fields << (text ? Field.new(name: f, value: text, source: source)
                    : Field.new(name: f, missing: "#{source_of(src)} does not exist"))
  end
  fields
end

# 3.2: RCLASS_EXT(c) is (char *)c + sizeof(struct RClass); a class's ivars are
# RCLASS_IVPTR(c)[i], i from its shape (shape.h: RBASIC_SHAPE_ID, rb_shape_get_iv_index).
def class_ivptr_field(a)
  rclass = a["size.rclass"]
  off, = offset_of(a, :classext_iv_ptr)
  unless rclass.is_a?(Integer)
    return Field.new(name: :class_ivptr, missing: "sizeof(struct RClass): #{rclass}")
  end

  Field.new(name: :class_ivptr, value: "#{rclass} + #{off}",
            source: "sizeof(struct RClass) + rb_classext_struct.iv_ptr")
end

# The shape id is the top bits of RBasic.flags; the code reads it and parent_id as 32 bits.
def shape_id_shift_field(a)
  size = a["size.shape_id"]
  unless size == 4
    return Field.new(name: :shape_id_shift, missing: "sizeof(shape_id_t) is #{size}, not 4")
  end

  const_field(a, :shape_id_shift, "SHAPE_FLAG_SHIFT")
end

def shape_list_len_field(a)
  words = const(a, "SHAPE_BITMAP_SIZE")
  unless words
    return Field.new(name: :shape_list_len, missing: "SHAPE_BITMAP_SIZE is not in the debug info")
  end

  Field.new(name: :shape_list_len, value: words * 32,
            source: "SHAPE_BITMAP_SIZE * 32: the shapes vm.c allocates")
end

def shape_fields(a)
  [Field.new(name: :class_path, value: "CLASS_PATH_SHAPE_IVARS",
             source: "no RClass.ptr nor iv_tbl: ivars in classext.iv_ptr, in shape order"),
   class_ivptr_field(a), offset_field(a, :vm_shape_list), shape_list_len_field(a),
   size_field(a, :shape_size), offset_field(a, :shape_edge_name),
   offset_field(a, :shape_next_iv_index), offset_field(a, :shape_type),
   offset_field(a, :shape_parent_id), shape_id_shift_field(a),
   const_field(a, :shape_ivar_type, "SHAPE_IVAR")]
end

def unknown_class_fields(a)
  [Field.new(name: :class_path, missing: "no known way to a class's path"),
   offset_field(a, :class_ext, ["RClass", /./], also: class_ext_note(a)),
   offset_field(a, :classext_iv_tbl, ["classext", /iv|field/])]
end

def class_fields(a)
  fields = case class_path_kind(a)
           when :ivars then ivar_table_fields(a)
           when :fields then classext_fields(a)
           when :shapes then shape_fields(a)
           else unknown_class_fields(a)
           end
  fields << flag_field(a, :fl_singleton, "RUBY_FL_SINGLETON")
end

def symbol_fields(a)
  [symbols_field(a, :symbols_last_id), symbols_field(a, :symbols_ids),
   const_field(a, :id_scope_shift, "RUBY_ID_SCOPE_SHIFT"),
   const_field(a, :last_op_id, "tLAST_OP_ID"),
   const_field(a, :id_entry_unit, "ID_ENTRY_UNIT")]
end

def gc_fields(a)
  [offset_field(a, :st_entries_start), offset_field(a, :st_entries_bound),
   offset_field(a, :st_entries),
   offset_field(a, :vm_objspace), offset_field(a, :objspace_flags),
   gc_flag_field(a, :gc_during_mask, "during_gc"), gc_flag_field(a, :gc_mode_mask, "mode")]
end

# ---------------------------------------------------------------------------------------
# Printing

def format_value(value)
  v, format = value.is_a?(Array) ? value : [value, :dec]
  case format
  when :hex then format("0x%x", v)
  when :flag then flag_text(v)
  else v.to_s
  end
end

# FL_USER(n) when the flag is one user bit, as user/layouts/releases.c writes it; hex otherwise.
def flag_text(v)
  bit = v.bit_length - 1
  return format("0x%x", v) unless v.positive? && v == 1 << bit && bit >= FL_USHIFT

  "FL_USER(#{bit - FL_USHIFT})"
end

def field_line(field, indent)
  return "#{indent}/* MISSING: .#{field.name}: #{field.missing} */" if field.missing

  text = field.value.is_a?(String) ? field.value : format_value(field.value)
  "#{indent}.#{field.name} = #{text}, /* #{field.source} */"
end

def version_of(answers, argv_version)
  return argv_version if argv_version

  v = answers["version"].to_s[/"(\d+\.\d+\.\d+)/, 1]
  v || abort("cannot read ruby_version from the debug info: pass VERSION")
end

# Where the symbols the profiler looks up live, and how TLS is reached: not part of the
# layout, but what decides whether a stripped build of this version can be profiled.
def symbol_notes(path)
  dyn = readelf("--dyn-syms", "-W", path)
  all = readelf("-s", "-W", path)
  notes = %w[ruby_current_ec ruby_current_execution_context_ptr ruby_current_vm_ptr
             ruby_global_symbols rb_sym_immortal_count].map do |sym|
    where = []
    in_dyn = sym_desc(dyn, sym)
    in_symtab = sym_desc(all, sym, symtab_only: true)
    where << ".dynsym #{in_dyn}" if in_dyn
    where << ".symtab #{in_symtab}" if in_symtab
    " *   #{sym}: #{where.empty? ? "absent" : where.join("; ")}"
  end
  notes << " *   TLS relocations: #{tls_relocations(path)}"
  notes << " *   PT_TLS segment: #{tls_segment(path)}"
  notes << " *   #{local_exec_note(path, all)}" if executable?(path)
  notes
end

# A program (it has an interpreter, even if PIE) reaches its own TLS by local-exec: a fixed
# offset from the thread pointer, value - align_up(memsz, align) on x86_64 (variant II).
def executable?(path)
  readelf("-l", "-W", path).each_line.any? { |l| l.split.first == "INTERP" }
end

def local_exec_note(path, symtab)
  line = readelf("-l", "-W", path).each_line.find { |l| l.split.first == "TLS" }
  value = sym_desc(symtab, "ruby_current_ec", symtab_only: true)&.[](/value 0x(\h+)/, 1)
  return "executable: no PT_TLS or no ruby_current_ec in .symtab" unless line && value

  f = line.split
  memsz = Integer(f[5])
  align = Integer(f[7])
  off = Integer(value, 16) - ((memsz + align - 1) / align * align)
  format("executable, local-exec TLS: ruby_current_ec at %%fs:-0x%x", -off)
end

def readelf(*args)
  out, status = Open3.capture2e("readelf", *args)
  status.success? ? out : ""
rescue Errno::ENOENT
  ""
end

# "TLS LOCAL value 0x30" for the symbol in readelf -s output (the .symtab part of it only
# when asked: readelf -s prints .dynsym first).
def sym_desc(text, sym, symtab_only: false)
  text = text.split(/^Symbol table '\.symtab'/, 2)[1].to_s if symtab_only
  line = text.each_line.find { |l| l.split.last == sym && l.split[6] != "UND" }
  return nil unless line

  _, value, size, type, bind = line.split
  "#{type} #{bind} value 0x#{value.sub(/^0+(?=.)/, "")} size #{size}"
end

# "memsz 0x80 align 0x8": in an executable (local-exec TLS) a variable sits at
# value - align_up(memsz, align) from the thread pointer on x86_64.
# Ruby's own symbols by name; other TLS users (YJIT's Rust std, ...) only as a count.
def reloc_symbol(sym)
  return "symbol 0" unless sym&.match?(/^[A-Za-z_]/)

  sym.match?(/^(ruby_|rb_)/) ? sym : "other symbols"
end

def tls_segment(path)
  line = readelf("-l", "-W", path).each_line.find { |l| l.split.first == "TLS" }
  return "none" unless line

  f = line.split
  "filesz #{f[4]} memsz #{f[5]} align #{f[7]}"
end

# "R_X86_64_DTPMOD64 x6 (symbol 0)": symbol 0 means local-dynamic access, where the offset
# of the variable in the TLS block comes from .symtab, not from the relocation.
def tls_relocations(path)
  counts = Hash.new(0)
  readelf("-r", "-W", path).each_line do |l|
    kind = l[/R_X86_64_(DTPMOD64|DTPOFF64|TPOFF64|TPOFF32|TLSDESC|GOTTPOFF)\S*/, 0] or next
    counts["#{kind} (#{reloc_symbol(l.split[4])})"] += 1
  end
  counts.empty? ? "none" : counts.map { |k, n| "#{k} x#{n}" }.join(", ")
end

def print_layout(path, version, answers)
  series = version.split(".").first(2).join(".")
  puts "/* #{answers["description"].to_s.sub(/^\$\d+ = /, "")} */"
  puts "/* from #{path}"
  puts " * symbols:"
  puts symbol_notes(path)
  puts " */"
  puts "\t{"
  puts "\t\t.series = \"#{series}\","
  puts "\t\t.releases = \"#{version}-#{version}\","
  puts "\t\t.vm = {"
  vm_fields(answers).each { |f| puts field_line(f, "\t\t\t") }
  puts "\t\t},"
  # an EC's thread points back to it: how an EC found in a stripped build's code is checked
  [offset_field(answers, :ec_thread_ptr), offset_field(answers, :thread_ec),
   thread_fields(answers), iseq_fields(answers), method_fields(answers), class_fields(answers),
   symbol_fields(answers), gc_fields(answers), rstring_fields(answers),
   rarray_fields(answers)].flatten.each do |f|
    puts field_line(f, "\t\t")
  end
  puts "\t},"
end

# Everything below assumes FL_USHIFT = 12 when printing FL_USER(n): say so if not.
def check_fl_ushift(answers)
  shift = const(answers, "RUBY_FL_USHIFT")
  return if shift.nil? || shift == FL_USHIFT

  puts "/* WARNING: RUBY_FL_USHIFT is #{shift}, not #{FL_USHIFT}: FL_USER(n) below is wrong */"
end

# Without DWARF every answer would be "No symbol": say why once instead. (gdb would also
# follow a .gnu_debuglink to a separate debug file; that case is not handled here.)
def check_debug_info(path)
  return if readelf("-S", "-W", path).include?(".debug_info")

  abort "#{path} has no .debug_info section (stripped?): use a -g build of this version"
end

def main(argv)
  path, version = argv
  usage = "usage: ruby #{$PROGRAM_NAME} PATH-TO-libruby.so-or-ruby [VERSION]"
  abort usage unless path && File.file?(path)

  check_debug_info(path)
  answers = ask_gdb(path)
  check_fl_ushift(answers)
  print_layout(path, version_of(answers, version), answers)
end

main(ARGV) if $PROGRAM_NAME == __FILE__
