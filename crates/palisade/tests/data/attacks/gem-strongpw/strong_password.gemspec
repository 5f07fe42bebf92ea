Gem::Specification.new do |s|
  s.name = "strong_password"
  s.version = "0.0.7"
  s.files = ["lib/strong_password.rb"]
end
