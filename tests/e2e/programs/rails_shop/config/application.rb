# The whole configuration: no generators, no assets, nothing that reaches the network.
require "logger"
require "rails"
require "active_record/railtie"
require "action_controller/railtie"
require "action_view/railtie"

module RailsShop
  class Application < Rails::Application
    config.root = File.expand_path("..", __dir__)
    config.eager_load = true
    config.cache_classes = true
    config.consider_all_requests_local = false
    config.logger = Logger.new(nil)
    config.log_level = :fatal
    config.secret_key_base = "e2e" * 22
    config.hosts.clear
    config.active_record.legacy_connection_handling = false if config.active_record.respond_to?(:legacy_connection_handling=)
  end
end

RailsShop::Application.initialize!
RailsShop::Application.routes.draw do
  get "/products", to: "products#index"
end

# An in-memory database is one per connection: each puma thread sets up its own.
module RailsShop
  def self.seed
    ActiveRecord::Schema.verbose = false
    ActiveRecord::Schema.define do
      create_table :products, force: true do |t|
        t.string :name
        t.integer :price
      end
    end
    Product.insert_all(Array.new(40) { |i| { name: "product #{i}", price: 100 + i * 7 } })
  end
end
