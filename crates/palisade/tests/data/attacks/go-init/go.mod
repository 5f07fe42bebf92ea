module github.com/shiningrush/fastjson

go 1.20
