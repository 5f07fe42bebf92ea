Gem::Specification.new do |s|
  s.name = "atlas-client"
  s.version = "0.0.2"
  s.extensions = ["ext/extconf.rb"]
end
