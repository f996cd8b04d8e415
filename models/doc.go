// Package models holds the domain of 电诉宝: entities with their gorm tags, enums and their
// Chinese labels, validation rules and domain errors. It performs no I/O and imports no other
// package of the project.
package models
