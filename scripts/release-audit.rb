#!/usr/bin/env ruby
# frozen_string_literal: true

# release-audit.rb - which of the definitions a layout is read from changed between
# consecutive releases of a series:
#
#   ruby scripts/release-audit.rb RUBY-GIT-DIR SERIES...     (SERIES: 2_7 3_0 ... 4.0)
#
# For each release tag after the first it prints the definitions whose text (whitespace
# squeezed) differs from the previous release's, or "-". Releases between two changes have
# the same definitions, so one computed layout (scripts/release-layout.sh) stands for them
# all; a change still needs a look or a computation, since most do not move a member the
# profiler reads (a member added after it, a bit that fits the same word, a comment).
# Only the Ruby standard library and git are used.

require "open3"

# File => the structs, enums, typedefs, #defines and static consts ruby_layout reads from it
# ("*": the whole file). Files absent in a release (internal.h holds RClass in 2.7) are empty.
DEFINITIONS = {
  "vm_core.h" => %w[rb_execution_context_struct rb_control_frame_struct rb_iseq_constant_body
                    rb_iseq_location_struct rb_iseq_struct rb_vm_struct rb_thread_struct
                    rb_proc_t rb_block rb_captured_block rb_thread_status],
  "ractor_core.h" => %w[rb_ractor_struct],
  "thread_pthread.h" => %w[rb_thread_sched rb_global_vm_lock_struct],
  "iseq.h" => %w[iseq_insn_info_entry],
  "method.h" => %w[rb_method_entry_struct rb_method_definition_struct rb_method_iseq_struct
                   rb_method_bmethod_struct],
  "internal/class.h" => %w[RClass rb_classext_struct RClass_and_rb_classext_t],
  "internal.h" => %w[RClass rb_classext_struct],
  "include/ruby/ruby.h" => %w[RString RArray RTypedData ruby_fl_type ruby_rstring_flags
                              ruby_rarray_flags RBasic],
  "include/ruby/internal/core/rstring.h" => %w[RString ruby_rstring_flags ruby_rstring_consts],
  "include/ruby/internal/core/rarray.h" => %w[RArray ruby_rarray_flags ruby_rarray_consts],
  "include/ruby/internal/core/rbasic.h" => %w[*],
  "include/ruby/internal/core/rtypeddata.h" => %w[RTypedData],
  "include/ruby/internal/fl_type.h" => %w[ruby_fl_type ruby_fl_ushift RUBY_FL_SINGLETON
                                          RUBY_FL_USHIFT],
  "symbol.c" => %w[rb_symbols_t ID_ENTRY_UNIT], # rb_symbols_t: symbol.h up to 3.4
  "symbol.h" => %w[rb_symbols_t ID_SCOPE_SHIFT],
  "template/id.h.tmpl" => %w[*],
  "defs/id.def" => %w[*],
  "include/ruby/st.h" => %w[st_table],
  "gc.c" => %w[rb_objspace],
  "gc/default/default.c" => %w[rb_objspace],
  "shape.h" => %w[rb_shape SHAPE_FLAG_SHIFT SHAPE_BITMAP_SIZE SHAPE_ID_NUM_BITS]
}.freeze

# The first line of a definition of `name`: `struct name {`, `struct name` or `enum` above a
# `name {` line, a `typedef struct {` whose closing line names it.
def opens?(lines, i, name)
  l = lines[i]
  return true if l.match?(/^(typedef\s+)?(struct|enum|union)\s+#{name}\s*\{/)
  return true if l.match?(/^(typedef\s+)?(struct|enum|union)\s+#{name}\s*$/) &&
                 lines[i + 1].to_s.start_with?("{")
  return true if l.match?(/^#{name}\s*\{/) && i.positive? && lines[i - 1].match?(/^(enum|struct)/)
  return false unless l.match?(/^typedef\s+struct\s*\{/)

  lines[i..].find { |x| x.start_with?("}") }.to_s.match?(/^\}\s*#{name}\s*;/)
end

# The text of every definition of `name` in `text` (a block runs to the next line starting
# with "}"), plus any #define, static const or enumerator line of that name.
def definition(text, name)
  return text if name == "*"

  lines = text.lines
  out = []
  lines.each_index do |i|
    l = lines[i]
    out << l if l.match?(/^#\s*define\s+#{name}\b|^static const \w+ #{name}\b|^\s+#{name}\s*=/)
    next unless opens?(lines, i, name)

    j = i
    j += 1 while j < lines.size && !lines[j].start_with?("}")
    out.concat(lines[i..j])
  end
  out.map { |x| x.gsub(/\s+/, " ").strip }.reject(&:empty?).join("\n")
end

def show(git_dir, tag, path)
  out, status = Open3.capture2("git", "--git-dir=#{git_dir}", "show", "#{tag}:#{path}",
                               err: File::NULL)
  status.success? ? out : ""
end

def snapshot(git_dir, tag)
  DEFINITIONS.flat_map do |path, names|
    text = show(git_dir, tag, path)
    names.map { |n| ["#{path}:#{n}", definition(text, n)] }
  end.to_h
end

# The release tags of a series in order; refs/tags/ spelled out (a branch may share a name).
def tags(git_dir, series)
  out, = Open3.capture2("git", "--git-dir=#{git_dir}", "tag", "--list")
  out.split.grep(/^v#{Regexp.escape(series)}[._]\d+$/)
     .sort_by { |t| t[/\d+$/].to_i }.map { |t| "refs/tags/#{t}" }
end

def audit(git_dir, series)
  prev = nil
  tags(git_dir, series).each do |tag|
    snap = snapshot(git_dir, tag)
    name = tag.delete_prefix("refs/tags/")
    if prev
      changed = snap.keys.reject { |k| snap[k] == prev[k] }
      puts "#{name}: #{changed.empty? ? "-" : changed.join(" ")}"
    else
      puts "#{name}: first; #{snap.count { |_, v| !v.empty? }} definitions found"
    end
    prev = snap
  end
end

git_dir, *series = ARGV
abort "usage: ruby #{$PROGRAM_NAME} RUBY-GIT-DIR SERIES..." if git_dir.nil? || series.empty?
series.each { |s| audit(git_dir, s) }
