/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * template.h - the label of a method that ActionView compiled from a template. Rails names
 * it after the template's path relative to the application root, with a hash and an object
 * id that differ in every process (actionview/lib/action_view/template.rb method_name:
 * "_#{identifier_method_name}__#{@identifier.hash}_#{__id__}".tr("-", "_"), the path's
 * characters other than a-z and _ made _); the iseq's own path is the template file. The
 * label is that relative path ("app/views/products/index.html.erb"), the same in every
 * process, so that the frames of a fleet's workers merge.
 */
#ifndef RBPROF_TEMPLATE_H
#define RBPROF_TEMPLATE_H

#include <stddef.h>

/*
 * If method `label`, compiled from the file `path`, is a compiled template's name, its
 * template's path, relative to the application root as the name encodes it, into out:
 * 1. Else 0.
 */
int ruby_template_label(const char *label, const char *path, char *out, size_t cap);

#endif /* RBPROF_TEMPLATE_H */
