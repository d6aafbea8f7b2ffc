# A small Rails application for the e2e tests (Debian's ruby-rails, ruby-sqlite3, puma):
# ActionController, an ERB view rendering a partial in a loop, ActiveRecord on an in-memory
# sqlite3 database. Served by puma on loopback: `puma -b tcp://127.0.0.1:PORT config.ru`.
require_relative "config/application"

run RailsShop::Application
