/// The gateway's OpenAPI 3.1 document, served at `/openapi.json`; checked against the running server with schemathesis.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Set-design backend",
    "version": "1.0.0",
    "description": "The gateway's HTTP API. Errors are `{\"detail\": ...}`; validation errors (422) are pydantic v2 lists. Lists are `{\"data\": [...], \"count\": N}`."
  },
  "servers": [
    {
      "url": "/"
    }
  ],
  "security": [
    {
      "HTTPBearer": []
    },
    {
      "OAuth2PasswordBearer": []
    }
  ],
  "tags": [
    {
      "name": "health"
    },
    {
      "name": "login"
    },
    {
      "name": "users"
    },
    {
      "name": "organizations"
    },
    {
      "name": "shot-types"
    },
    {
      "name": "subjects"
    },
    {
      "name": "background-presets"
    },
    {
      "name": "guidelines"
    },
    {
      "name": "guidelines-shot-type-rules"
    },
    {
      "name": "media"
    },
    {
      "name": "set-designs"
    }
  ],
  "paths": {
    "/healthz": {
      "get": {
        "tags": [
          "health"
        ],
        "summary": "Liveness",
        "operationId": "healthz",
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HealthStatus"
                }
              }
            }
          }
        },
        "security": []
      }
    },
    "/readyz": {
      "get": {
        "tags": [
          "health"
        ],
        "summary": "Readiness: database reachable and schema current",
        "operationId": "readyz",
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ReadyStatus"
                }
              }
            }
          },
          "503": {
            "description": "Database unreachable or schema behind",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HTTPError"
                }
              }
            }
          }
        },
        "security": []
      }
    },
    "/openapi.json": {
      "get": {
        "tags": [
          "health"
        ],
        "summary": "This document",
        "operationId": "openapi",
        "responses": {
          "200": {
            "description": "The OpenAPI document",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        },
        "security": []
      }
    },
    "/metrics": {
      "get": {
        "tags": [
          "health"
        ],
        "summary": "Prometheus metrics",
        "operationId": "metrics",
        "description": "HTTP requests and latency by route and status; upload tasks by status, the oldest PENDING task, stuck tasks and the operator-notification backlog, read from Postgres at scrape time.",
        "responses": {
          "200": {
            "description": "The Prometheus text exposition format",
            "content": {
              "text/plain; version=0.0.4; charset=utf-8": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        },
        "security": []
      }
    },
    "/api/v1/login/access-token": {
      "post": {
        "tags": [
          "login"
        ],
        "summary": "OAuth2 compatible token login",
        "operationId": "login_access_token",
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "$ref": "#/components/schemas/Body_login_access_token"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Token"
                }
              }
            }
          },
          "400": {
            "description": "Incorrect email or password",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HTTPError"
                }
              }
            }
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        },
        "security": []
      }
    },
    "/api/v1/users/me": {
      "get": {
        "tags": [
          "users"
        ],
        "summary": "Get current user",
        "operationId": "read_user_me",
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UserPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          }
        }
      }
    },
    "/api/v1/users": {
      "get": {
        "tags": [
          "users"
        ],
        "summary": "Retrieve users (superuser only)",
        "operationId": "read_users",
        "parameters": [
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UsersPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "users"
        ],
        "summary": "Create a user (superuser only)",
        "operationId": "create_user",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/UserCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/UserPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/organizations": {
      "post": {
        "tags": [
          "organizations"
        ],
        "summary": "Create an organization; the caller becomes its admin",
        "operationId": "create_organization",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/OrganizationCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OrganizationPublic"
                }
              }
            },
            "links": {
              "read_organization": {
                "operationId": "read_organization",
                "parameters": {
                  "organization_id": "$response.body#/id"
                }
              },
              "read_organization_members": {
                "operationId": "read_organization_members",
                "parameters": {
                  "organization_id": "$response.body#/id"
                }
              },
              "add_organization_member": {
                "operationId": "add_organization_member",
                "parameters": {
                  "organization_id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "get": {
        "tags": [
          "organizations"
        ],
        "summary": "The caller's organizations (all for a superuser)",
        "operationId": "read_organizations",
        "parameters": [
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OrganizationsPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/organizations/{organization_id}": {
      "get": {
        "tags": [
          "organizations"
        ],
        "summary": "Read an organization",
        "operationId": "read_organization",
        "parameters": [
          {
            "name": "organization_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OrganizationPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/organizations/{organization_id}/members": {
      "get": {
        "tags": [
          "organizations"
        ],
        "summary": "List an organization's members",
        "operationId": "read_organization_members",
        "parameters": [
          {
            "name": "organization_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MembersPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "organizations"
        ],
        "summary": "Add a member (organization admins and superusers)",
        "operationId": "add_organization_member",
        "parameters": [
          {
            "name": "organization_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/MemberCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MemberPublic"
                }
              }
            },
            "links": {
              "remove_organization_member": {
                "operationId": "remove_organization_member",
                "parameters": {
                  "organization_id": "$response.body#/organization_id",
                  "user_id": "$response.body#/user_id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/organizations/{organization_id}/members/{user_id}": {
      "delete": {
        "tags": [
          "organizations"
        ],
        "summary": "Remove a member (organization admins and superusers)",
        "operationId": "remove_organization_member",
        "parameters": [
          {
            "name": "organization_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "user_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/shot-types": {
      "get": {
        "tags": [
          "shot-types"
        ],
        "summary": "List shot types",
        "operationId": "read_shot_types",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/owner_id"
          },
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShotTypesPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "shot-types"
        ],
        "summary": "Create a shot type",
        "operationId": "create_shot_type",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ShotTypeCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShotTypePublic"
                }
              }
            },
            "links": {
              "read_shot_type": {
                "operationId": "read_shot_type",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "update_shot_type": {
                "operationId": "update_shot_type",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "delete_shot_type": {
                "operationId": "delete_shot_type",
                "parameters": {
                  "id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/shot-types/{id}": {
      "get": {
        "tags": [
          "shot-types"
        ],
        "summary": "Read a shot type",
        "operationId": "read_shot_type",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShotTypePublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "put": {
        "tags": [
          "shot-types"
        ],
        "summary": "Update a shot type",
        "operationId": "update_shot_type",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ShotTypeUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShotTypePublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "delete": {
        "tags": [
          "shot-types"
        ],
        "summary": "Delete a shot type",
        "operationId": "delete_shot_type",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        },
        "description": "Soft delete: sets `deleted_at`; the shot type then answers 404 and disappears from lists, matching and grouped rules."
      }
    },
    "/api/v1/subjects": {
      "get": {
        "tags": [
          "subjects"
        ],
        "summary": "List subjects",
        "operationId": "read_subjects",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/owner_id"
          },
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SubjectsPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "subjects"
        ],
        "summary": "Create a subject",
        "operationId": "create_subject",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SubjectCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SubjectPublic"
                }
              }
            },
            "links": {
              "read_subject": {
                "operationId": "read_subject",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "update_subject": {
                "operationId": "update_subject",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "delete_subject": {
                "operationId": "delete_subject",
                "parameters": {
                  "id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/subjects/{id}": {
      "get": {
        "tags": [
          "subjects"
        ],
        "summary": "Read a subject",
        "operationId": "read_subject",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SubjectPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "put": {
        "tags": [
          "subjects"
        ],
        "summary": "Update a subject",
        "operationId": "update_subject",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SubjectUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SubjectPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "delete": {
        "tags": [
          "subjects"
        ],
        "summary": "Delete a subject",
        "operationId": "delete_subject",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/background-presets": {
      "get": {
        "tags": [
          "background-presets"
        ],
        "summary": "List background presets",
        "operationId": "read_background_presets",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/owner_id"
          },
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BackgroundPresetsPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "background-presets"
        ],
        "summary": "Create a background preset",
        "operationId": "create_background_preset",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/BackgroundPresetCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BackgroundPresetPublic"
                }
              }
            },
            "links": {
              "read_background_preset": {
                "operationId": "read_background_preset",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "update_background_preset": {
                "operationId": "update_background_preset",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "delete_background_preset": {
                "operationId": "delete_background_preset",
                "parameters": {
                  "id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/background-presets/{id}": {
      "get": {
        "tags": [
          "background-presets"
        ],
        "summary": "Read a background preset",
        "operationId": "read_background_preset",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BackgroundPresetPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "put": {
        "tags": [
          "background-presets"
        ],
        "summary": "Update a background preset",
        "operationId": "update_background_preset",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/BackgroundPresetUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/BackgroundPresetPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "delete": {
        "tags": [
          "background-presets"
        ],
        "summary": "Delete a background preset",
        "operationId": "delete_background_preset",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines": {
      "get": {
        "tags": [
          "guidelines"
        ],
        "summary": "List shooting guidelines",
        "operationId": "read_guidelines_list",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/owner_id"
          },
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShootingGuidelinesListPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "guidelines"
        ],
        "summary": "Create a shooting guideline",
        "operationId": "create_guidelines",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ShootingGuidelinesCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShootingGuidelinesPublic"
                }
              }
            },
            "links": {
              "read_guidelines": {
                "operationId": "read_guidelines",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "update_guidelines": {
                "operationId": "update_guidelines",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "delete_guidelines": {
                "operationId": "delete_guidelines",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "list_rules": {
                "operationId": "list_rules",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "create_rule": {
                "operationId": "create_rule",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "list_rule_groups": {
                "operationId": "list_rule_groups",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              },
              "bulk_replace": {
                "operationId": "bulk_replace",
                "parameters": {
                  "guidelines_id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines/{guidelines_id}": {
      "get": {
        "tags": [
          "guidelines"
        ],
        "summary": "Read a shooting guideline",
        "operationId": "read_guidelines",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShootingGuidelinesPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "put": {
        "tags": [
          "guidelines"
        ],
        "summary": "Update a shooting guideline",
        "operationId": "update_guidelines",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ShootingGuidelinesUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ShootingGuidelinesPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "delete": {
        "tags": [
          "guidelines"
        ],
        "summary": "Delete a shooting guideline",
        "operationId": "delete_guidelines",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines/{guidelines_id}/shot-type-rules": {
      "get": {
        "tags": [
          "guidelines-shot-type-rules"
        ],
        "summary": "List Rules",
        "operationId": "list_rules",
        "description": "List all rule rows for the given guideline (flat shape).",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GuidelinesShotTypeRulesPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "post": {
        "tags": [
          "guidelines-shot-type-rules"
        ],
        "summary": "Create Rule",
        "operationId": "create_rule",
        "description": "Add a single (kind, value, shot_type) rule row; a duplicate is a 409.",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/GuidelinesShotTypeRuleCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GuidelinesShotTypeRulePublic"
                }
              }
            },
            "links": {
              "delete_rule": {
                "operationId": "delete_rule",
                "parameters": {
                  "guidelines_id": "$response.body#/guidelines_id",
                  "rule_id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines/{guidelines_id}/shot-type-rules/grouped": {
      "get": {
        "tags": [
          "guidelines-shot-type-rules"
        ],
        "summary": "List Rule Groups",
        "operationId": "list_rule_groups",
        "description": "List rules grouped by (rule_kind, rule_value) with expanded shot types.",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GuidelinesShotTypeRuleGroupsPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines/{guidelines_id}/shot-type-rules/bulk-replace": {
      "put": {
        "tags": [
          "guidelines-shot-type-rules"
        ],
        "summary": "Bulk Replace",
        "operationId": "bulk_replace",
        "description": "Replace the shot-type list for a single (rule_kind, rule_value) key. Empty shot_type_ids clears all rows for that key.",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/GuidelinesShotTypeRuleGroupInput"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/GuidelinesShotTypeRulesPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/guidelines/{guidelines_id}/shot-type-rules/{rule_id}": {
      "delete": {
        "tags": [
          "guidelines-shot-type-rules"
        ],
        "summary": "Delete Rule",
        "operationId": "delete_rule",
        "description": "Remove a single rule row by id.",
        "parameters": [
          {
            "name": "guidelines_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "rule_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/media": {
      "post": {
        "tags": [
          "media"
        ],
        "summary": "Upload one image",
        "operationId": "upload_media",
        "description": "Multipart field `file`; a non-image is a 422. Bytes are stored once per content hash.",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "$ref": "#/components/schemas/Body_upload_media"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MediaResourcePublic"
                }
              }
            },
            "links": {
              "read_media": {
                "operationId": "read_media",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "read_media_content": {
                "operationId": "read_media_content",
                "parameters": {
                  "id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/media/{id}": {
      "get": {
        "tags": [
          "media"
        ],
        "summary": "Read a media resource",
        "operationId": "read_media",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/MediaResourcePublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/media/{id}/content": {
      "get": {
        "tags": [
          "media"
        ],
        "summary": "The media's bytes",
        "operationId": "read_media_content",
        "description": "Authenticated by the signed URL's `expires` and `signature`, or else by a bearer token.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "expires",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Expiry (Unix seconds) of a signed URL."
          },
          {
            "name": "signature",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "HMAC of a signed URL; when present, the token is not needed (403 if invalid or expired)."
          },
          {
            "name": "Range",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The bytes",
            "headers": {
              "ETag": {
                "required": true,
                "schema": {
                  "type": "string",
                  "pattern": "^\"[0-9a-f]{64}\"$"
                }
              },
              "Cache-Control": {
                "required": true,
                "schema": {
                  "type": "string"
                }
              },
              "Accept-Ranges": {
                "required": true,
                "schema": {
                  "type": "string",
                  "const": "bytes"
                }
              },
              "Content-Length": {
                "required": true,
                "schema": {
                  "type": "integer",
                  "minimum": 0
                }
              }
            },
            "content": {
              "image/*": {
                "schema": {
                  "type": "string",
                  "contentMediaType": "image/*"
                }
              }
            }
          },
          "206": {
            "description": "The requested range",
            "headers": {
              "ETag": {
                "required": true,
                "schema": {
                  "type": "string",
                  "pattern": "^\"[0-9a-f]{64}\"$"
                }
              },
              "Cache-Control": {
                "required": true,
                "schema": {
                  "type": "string"
                }
              },
              "Accept-Ranges": {
                "required": true,
                "schema": {
                  "type": "string",
                  "const": "bytes"
                }
              },
              "Content-Range": {
                "required": true,
                "schema": {
                  "type": "string"
                }
              }
            },
            "content": {
              "image/*": {
                "schema": {
                  "type": "string",
                  "contentMediaType": "image/*"
                }
              }
            }
          },
          "304": {
            "description": "Not modified (If-None-Match matched the ETag)",
            "headers": {
              "ETag": {
                "required": true,
                "schema": {
                  "type": "string",
                  "pattern": "^\"[0-9a-f]{64}\"$"
                }
              },
              "Cache-Control": {
                "required": true,
                "schema": {
                  "type": "string"
                }
              },
              "Accept-Ranges": {
                "required": true,
                "schema": {
                  "type": "string",
                  "const": "bytes"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          },
          "416": {
            "description": "Range not satisfiable",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/HTTPError"
                }
              }
            }
          }
        },
        "security": [
          {},
          {
            "HTTPBearer": []
          },
          {
            "OAuth2PasswordBearer": []
          }
        ]
      }
    },
    "/api/v1/set-designs": {
      "post": {
        "tags": [
          "set-designs"
        ],
        "summary": "Create Set Design",
        "operationId": "create_set_design",
        "description": "Create a new set design with base images and reference images.",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SetDesignCreate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignPublic"
                }
              }
            },
            "links": {
              "read_set_design": {
                "operationId": "read_set_design",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "update_set_design": {
                "operationId": "update_set_design",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "delete_set_design": {
                "operationId": "delete_set_design",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "request_set_design_completion": {
                "operationId": "request_set_design_completion",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "find_set_base_image": {
                "operationId": "find_set_base_image",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "upload_set_design_base_images_zip": {
                "operationId": "upload_set_design_base_images_zip",
                "parameters": {
                  "id": "$response.body#/id"
                }
              },
              "get_set_design_base_images_upload_task_by_set_design": {
                "operationId": "get_set_design_base_images_upload_task_by_set_design",
                "parameters": {
                  "id": "$response.body#/id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Read Set Designs",
        "operationId": "read_set_designs",
        "parameters": [
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "$ref": "#/components/parameters/owner_id"
          },
          {
            "$ref": "#/components/parameters/skip"
          },
          {
            "$ref": "#/components/parameters/limit"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignsPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/{id}": {
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Read Set Design",
        "operationId": "read_set_design",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "put": {
        "tags": [
          "set-designs"
        ],
        "summary": "Update Set Design",
        "operationId": "update_set_design",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SetDesignUpdate"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      },
      "delete": {
        "tags": [
          "set-designs"
        ],
        "summary": "Delete Set Design",
        "operationId": "delete_set_design",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/{id}/base-image": {
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Find Set Base Image",
        "operationId": "find_set_base_image",
        "description": "Find a base image by subject + shot_type within a set design; 404 when there is none.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "name": "subject_id",
            "in": "query",
            "required": true,
            "description": "Subject ID to match",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "name": "shot_type_id",
            "in": "query",
            "required": true,
            "description": "Shot type ID to match",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetBaseImagePublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/{id}/request-completion": {
      "post": {
        "tags": [
          "set-designs"
        ],
        "summary": "Request Set Design Completion",
        "operationId": "request_set_design_completion",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/SetDesignCompletionRequest"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Accepted: the operators are notified",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Message"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/{id}/base-images/upload": {
      "post": {
        "tags": [
          "set-designs"
        ],
        "summary": "Upload Set Design Base Images Zip",
        "operationId": "upload_set_design_base_images_zip",
        "description": "Upload a ZIP of base images for a set design + subject (multipart field `file`, or a raw `application/zip` body). Not a ZIP → 422; over MAX_UPLOAD_BYTES → 413. Returns the task.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "name": "subject_id",
            "in": "query",
            "required": true,
            "description": "Subject ID for the base images",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "multipart/form-data": {
              "schema": {
                "$ref": "#/components/schemas/Body_upload_set_design_base_images_zip"
              }
            },
            "application/zip": {
              "schema": {
                "type": "string",
                "contentMediaType": "application/zip"
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Accepted: the task is queued",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignBaseImagesUploadTaskPublic"
                }
              }
            },
            "links": {
              "get_set_design_base_images_upload_task": {
                "operationId": "get_set_design_base_images_upload_task",
                "parameters": {
                  "task_id": "$response.body#/id"
                }
              },
              "get_set_design_base_images_upload_task_by_set_design": {
                "operationId": "get_set_design_base_images_upload_task_by_set_design",
                "parameters": {
                  "id": "$response.body#/set_design_id",
                  "subject_id": "$response.body#/subject_id"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/ContentTooLarge"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/{id}/base-images/upload-task": {
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Get Set Design Base Images Upload Task By Set Design",
        "operationId": "get_set_design_base_images_upload_task_by_set_design",
        "description": "The most recent task for this set design + subject; 404 when there is none.",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "name": "subject_id",
            "in": "query",
            "required": true,
            "description": "Subject ID to filter tasks",
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignBaseImagesUploadTaskPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/upload-tasks/{task_id}": {
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Get Set Design Base Images Upload Task",
        "operationId": "get_set_design_base_images_upload_task",
        "parameters": [
          {
            "name": "task_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          }
        ],
        "responses": {
          "200": {
            "description": "Successful Response",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/SetDesignBaseImagesUploadTaskPublic"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    },
    "/api/v1/set-designs/upload-tasks/{task_id}/events": {
      "get": {
        "tags": [
          "set-designs"
        ],
        "summary": "Live progress of an upload task",
        "operationId": "stream_set_design_base_images_upload_task_events",
        "parameters": [
          {
            "name": "task_id",
            "in": "path",
            "required": true,
            "schema": {
              "type": "string",
              "format": "uuid"
            }
          },
          {
            "$ref": "#/components/parameters/organization_id"
          },
          {
            "name": "access_token",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "The bearer token, for EventSource clients that cannot send headers."
          },
          {
            "name": "Last-Event-ID",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Server-Sent Events: `event: progress` with the task JSON as `data` at once and on every change, an `id:` per event, `: keep-alive` comments; ends after COMPLETED or FAILED.",
            "content": {
              "text/event-stream": {
                "schema": {
                  "$ref": "#/components/schemas/UploadTaskProgressEvent"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "422": {
            "$ref": "#/components/responses/ValidationError"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "HTTPBearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT"
      },
      "OAuth2PasswordBearer": {
        "type": "oauth2",
        "flows": {
          "password": {
            "tokenUrl": "/api/v1/login/access-token",
            "scopes": {}
          }
        }
      }
    },
    "parameters": {
      "organization_id": {
        "name": "organization_id",
        "in": "query",
        "required": false,
        "description": "Narrow to this organization; the caller must be a member (else 403).",
        "schema": {
          "type": [
            "string",
            "null"
          ],
          "format": "uuid"
        }
      },
      "owner_id": {
        "name": "owner_id",
        "in": "query",
        "required": false,
        "schema": {
          "type": [
            "string",
            "null"
          ],
          "format": "uuid"
        }
      },
      "skip": {
        "name": "skip",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 0,
          "maximum": 2147483647,
          "default": 0
        }
      },
      "limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "default": 100
        }
      }
    },
    "responses": {
      "BadRequest": {
        "description": "Bad request (an inactive user's token)",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "Missing, malformed, expired or forged bearer token",
        "headers": {
          "WWW-Authenticate": {
            "required": true,
            "schema": {
              "type": "string",
              "const": "Bearer"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "allOf": [
                {
                  "$ref": "#/components/schemas/HTTPError"
                }
              ],
              "properties": {
                "detail": {
                  "enum": [
                    "Not authenticated",
                    "Could not validate credentials"
                  ]
                }
              }
            }
          }
        }
      },
      "Forbidden": {
        "description": "Authenticated but not allowed",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "NotFound": {
        "description": "Not found, or not visible to the caller",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "Conflict": {
        "description": "Uniqueness conflict",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "Too many attempts or requests; try again after Retry-After seconds",
        "headers": {
          "Retry-After": {
            "schema": {
              "type": "integer"
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "ContentTooLarge": {
        "description": "Body larger than the limit",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPError"
            }
          }
        }
      },
      "ValidationError": {
        "description": "Validation Error",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/HTTPValidationError"
            }
          }
        }
      }
    },
    "schemas": {
      "Timestamp": {
        "type": "string",
        "format": "date-time",
        "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$",
        "description": "RFC 3339 UTC with milliseconds and `Z`."
      },
      "HTTPError": {
        "type": "object",
        "properties": {
          "detail": {
            "type": "string"
          }
        },
        "required": [
          "detail"
        ],
        "title": "HTTPError",
        "description": "Every error other than a validation error: `{\"detail\": \"...\"}`."
      },
      "ValidationError": {
        "type": "object",
        "properties": {
          "type": {
            "type": "string"
          },
          "loc": {
            "type": "array",
            "items": {
              "anyOf": [
                {
                  "type": "string"
                },
                {
                  "type": "integer"
                }
              ]
            },
            "minItems": 1
          },
          "msg": {
            "type": "string"
          },
          "input": {},
          "ctx": {
            "type": "object"
          }
        },
        "required": [
          "type",
          "loc",
          "msg",
          "input"
        ],
        "title": "ValidationError",
        "description": "One problem, in pydantic v2's shape; `loc` starts with body, query or path."
      },
      "HTTPValidationError": {
        "type": "object",
        "properties": {
          "detail": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ValidationError"
            },
            "minItems": 1
          }
        },
        "required": [
          "detail"
        ],
        "title": "HTTPValidationError",
        "description": "A 422: every problem of the request."
      },
      "Message": {
        "type": "object",
        "properties": {
          "message": {
            "type": "string"
          }
        },
        "required": [
          "message"
        ],
        "title": "Message"
      },
      "HealthStatus": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string",
            "const": "ok"
          }
        },
        "required": [
          "status"
        ],
        "title": "HealthStatus"
      },
      "ReadyStatus": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string",
            "const": "ready"
          },
          "schema_version": {
            "type": "integer"
          }
        },
        "required": [
          "status",
          "schema_version"
        ],
        "title": "ReadyStatus"
      },
      "Body_login_access_token": {
        "type": "object",
        "properties": {
          "grant_type": {
            "type": "string",
            "pattern": "^(password)?$"
          },
          "username": {
            "type": "string",
            "description": "The account's email."
          },
          "password": {
            "type": "string",
            "format": "password"
          },
          "scope": {
            "type": "string",
            "default": ""
          },
          "client_id": {
            "type": "string"
          },
          "client_secret": {
            "type": "string",
            "format": "password"
          }
        },
        "required": [
          "username",
          "password"
        ],
        "title": "Body_login_access_token"
      },
      "Token": {
        "type": "object",
        "properties": {
          "access_token": {
            "type": "string"
          },
          "token_type": {
            "type": "string",
            "const": "bearer"
          }
        },
        "required": [
          "access_token",
          "token_type"
        ],
        "title": "Token"
      },
      "UserPublic": {
        "type": "object",
        "properties": {
          "email": {
            "type": "string",
            "format": "email"
          },
          "is_active": {
            "type": "boolean"
          },
          "is_superuser": {
            "type": "boolean"
          },
          "full_name": {
            "type": [
              "string",
              "null"
            ]
          },
          "id": {
            "type": "string",
            "format": "uuid"
          }
        },
        "required": [
          "email",
          "is_active",
          "is_superuser",
          "full_name",
          "id"
        ],
        "title": "UserPublic"
      },
      "UsersPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/UserPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "UsersPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "UserCreate": {
        "type": "object",
        "properties": {
          "email": {
            "type": "string",
            "maxLength": 254,
            "format": "email"
          },
          "password": {
            "type": "string",
            "minLength": 8,
            "maxLength": 128
          },
          "full_name": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "is_superuser": {
            "type": [
              "boolean",
              "null"
            ],
            "default": false
          },
          "is_active": {
            "type": [
              "boolean",
              "null"
            ],
            "default": true
          }
        },
        "required": [
          "email",
          "password"
        ],
        "title": "UserCreate"
      },
      "OrganizationPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": "string"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "name",
          "created_at",
          "updated_at"
        ],
        "title": "OrganizationPublic"
      },
      "OrganizationsPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/OrganizationPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "OrganizationsPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "OrganizationCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          }
        },
        "required": [
          "name"
        ],
        "title": "OrganizationCreate"
      },
      "MembershipRole": {
        "type": "string",
        "enum": [
          "admin",
          "member"
        ],
        "title": "MembershipRole"
      },
      "MemberCreate": {
        "type": "object",
        "properties": {
          "user_id": {
            "type": "string",
            "format": "uuid"
          },
          "role": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/MembershipRole",
                "default": "member"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "user_id"
        ],
        "title": "MemberCreate"
      },
      "MemberPublic": {
        "type": "object",
        "properties": {
          "organization_id": {
            "type": "string",
            "format": "uuid"
          },
          "user_id": {
            "type": "string",
            "format": "uuid"
          },
          "email": {
            "type": "string",
            "format": "email"
          },
          "role": {
            "$ref": "#/components/schemas/MembershipRole"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "organization_id",
          "user_id",
          "email",
          "role",
          "created_at"
        ],
        "title": "MemberPublic"
      },
      "MembersPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/MemberPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "MembersPublic",
        "description": "Every member; `count` is the number of members."
      },
      "MediaResourceType": {
        "type": "string",
        "enum": [
          "image"
        ],
        "title": "MediaResourceType"
      },
      "MediaResourcePublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "url": {
            "type": "string",
            "format": "uri-reference",
            "description": "Signed, expiring `/api/v1/media/{id}/content?expires=…&signature=…` URL."
          },
          "resource_type": {
            "$ref": "#/components/schemas/MediaResourceType"
          },
          "extension": {
            "type": "string"
          },
          "content_hash": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "SHA-256 of the bytes."
          },
          "file_size": {
            "type": "integer",
            "minimum": 0
          },
          "width": {
            "type": [
              "integer",
              "null"
            ]
          },
          "height": {
            "type": [
              "integer",
              "null"
            ]
          },
          "aspect_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "orientation": {
            "type": [
              "string",
              "null"
            ],
            "enum": [
              "portrait",
              "landscape",
              "square",
              null
            ]
          },
          "duration": {
            "type": [
              "number",
              "null"
            ]
          },
          "alt_text": {
            "type": [
              "string",
              "null"
            ]
          },
          "caption": {
            "type": [
              "string",
              "null"
            ]
          },
          "color_profile": {
            "type": [
              "string",
              "null"
            ]
          },
          "dominant_color": {
            "type": [
              "string",
              "null"
            ]
          },
          "protected": {
            "type": "boolean"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "url",
          "resource_type",
          "extension",
          "content_hash",
          "file_size",
          "width",
          "height",
          "aspect_ratio",
          "orientation",
          "duration",
          "alt_text",
          "caption",
          "color_profile",
          "dominant_color",
          "protected",
          "created_at"
        ],
        "title": "MediaResourcePublic"
      },
      "Body_upload_media": {
        "type": "object",
        "properties": {
          "file": {
            "type": "string",
            "contentMediaType": "application/octet-stream",
            "description": "One image (JPEG, PNG, WebP, GIF, TIFF, HEIF/AVIF), recognised by its bytes."
          }
        },
        "required": [
          "file"
        ],
        "title": "Body_upload_media"
      },
      "MediaInput": {
        "type": "object",
        "properties": {
          "media_resource_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "url": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2048
          },
          "alt_text": {
            "type": [
              "string",
              "null"
            ]
          },
          "caption": {
            "type": [
              "string",
              "null"
            ]
          },
          "color_profile": {
            "type": [
              "string",
              "null"
            ]
          },
          "dominant_color": {
            "type": [
              "string",
              "null"
            ]
          },
          "duration": {
            "type": [
              "number",
              "null"
            ]
          },
          "height": {
            "type": [
              "integer",
              "null"
            ]
          },
          "width": {
            "type": [
              "integer",
              "null"
            ]
          },
          "protected": {
            "type": "boolean",
            "default": false
          }
        },
        "title": "MediaInput",
        "description": "Links stored media (`media_resource_id`, which wins) or names a URL (`url`). The other fields are accepted and ignored."
      },
      "ViewAngle": {
        "type": "string",
        "enum": [
          "front",
          "back",
          "side",
          "left",
          "right",
          "three_quarter_left",
          "three_quarter_right",
          "top",
          "bottom",
          "detail"
        ],
        "title": "ViewAngle"
      },
      "ShotTypeFraming": {
        "type": "string",
        "enum": [
          "full_body",
          "three_quarter_body",
          "upper_body",
          "lower_body",
          "close_up",
          "detail"
        ],
        "title": "ShotTypeFraming"
      },
      "ShotTypePublic": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string"
          },
          "view_angle": {
            "$ref": "#/components/schemas/ViewAngle"
          },
          "framing": {
            "$ref": "#/components/schemas/ShotTypeFraming"
          },
          "shot_type_ref_image_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "shot_type_prompt_instruction": {
            "type": [
              "string",
              "null"
            ]
          },
          "file_naming_convention": {
            "type": [
              "string",
              "null"
            ]
          },
          "reference_image_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "prompt": {
            "type": [
              "string",
              "null"
            ]
          },
          "prompt_builder_section": {
            "type": [
              "string",
              "null"
            ]
          },
          "core_focus": {
            "type": "boolean"
          },
          "default_shot_type": {
            "type": [
              "string",
              "null"
            ]
          },
          "margins": {
            "type": [
              "object",
              "null"
            ]
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "public": {
            "type": "boolean"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "deleted_at": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              },
              {
                "type": "null"
              }
            ]
          },
          "reference_image": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/MediaResourcePublic"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "name",
          "view_angle",
          "framing",
          "shot_type_ref_image_url",
          "shot_type_prompt_instruction",
          "file_naming_convention",
          "reference_image_url",
          "prompt",
          "prompt_builder_section",
          "core_focus",
          "default_shot_type",
          "margins",
          "owner_id",
          "public",
          "organization_id",
          "id",
          "created_at",
          "updated_at",
          "deleted_at",
          "reference_image"
        ],
        "title": "ShotTypePublic"
      },
      "ShotTypesPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ShotTypePublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "ShotTypesPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "ShotTypeCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "view_angle": {
            "$ref": "#/components/schemas/ViewAngle"
          },
          "framing": {
            "$ref": "#/components/schemas/ShotTypeFraming"
          },
          "shot_type_ref_image_url": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2048
          },
          "shot_type_prompt_instruction": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 20000
          },
          "file_naming_convention": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "reference_image_url": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2048
          },
          "prompt": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 20000
          },
          "prompt_builder_section": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "core_focus": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "default_shot_type": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "margins": {
            "type": [
              "object",
              "null"
            ]
          },
          "public": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          }
        },
        "required": [
          "name",
          "view_angle",
          "framing"
        ],
        "title": "ShotTypeCreate"
      },
      "ShotTypeUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 255
          },
          "view_angle": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/ViewAngle"
              },
              {
                "type": "null"
              }
            ]
          },
          "framing": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/ShotTypeFraming"
              },
              {
                "type": "null"
              }
            ]
          },
          "shot_type_ref_image_url": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2048
          },
          "shot_type_prompt_instruction": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 20000
          },
          "file_naming_convention": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "reference_image_url": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 2048
          },
          "prompt": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 20000
          },
          "prompt_builder_section": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "core_focus": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "default_shot_type": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "margins": {
            "type": [
              "object",
              "null"
            ]
          },
          "public": {
            "type": [
              "boolean",
              "null"
            ]
          }
        },
        "title": "ShotTypeUpdate",
        "description": "Null or absent = no change."
      },
      "SubjectPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": [
              "string",
              "null"
            ]
          },
          "owner_id": {
            "type": "string",
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "name",
          "description",
          "owner_id",
          "organization_id",
          "created_at",
          "updated_at"
        ],
        "title": "SubjectPublic"
      },
      "SubjectsPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SubjectPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "SubjectsPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "SubjectCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          }
        },
        "required": [
          "name"
        ],
        "title": "SubjectCreate"
      },
      "SubjectUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          }
        },
        "title": "SubjectUpdate",
        "description": "Null or absent = no change."
      },
      "BackgroundPresetPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": [
              "string",
              "null"
            ]
          },
          "public": {
            "type": "boolean"
          },
          "owner_id": {
            "type": "string",
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "name",
          "description",
          "public",
          "owner_id",
          "organization_id",
          "created_at",
          "updated_at"
        ],
        "title": "BackgroundPresetPublic"
      },
      "BackgroundPresetsPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/BackgroundPresetPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "BackgroundPresetsPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "BackgroundPresetCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "public": {
            "type": [
              "boolean",
              "null"
            ]
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          }
        },
        "required": [
          "name"
        ],
        "title": "BackgroundPresetCreate"
      },
      "BackgroundPresetUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "public": {
            "type": [
              "boolean",
              "null"
            ]
          }
        },
        "title": "BackgroundPresetUpdate",
        "description": "Null or absent = no change."
      },
      "ShootingGuidelinesPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": [
              "string",
              "null"
            ]
          },
          "owner_id": {
            "type": "string",
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "name",
          "description",
          "owner_id",
          "organization_id",
          "created_at",
          "updated_at"
        ],
        "title": "ShootingGuidelinesPublic"
      },
      "ShootingGuidelinesListPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ShootingGuidelinesPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "ShootingGuidelinesListPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "ShootingGuidelinesCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "shot_type_rules": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/GuidelinesShotTypeRuleGroupInput"
            }
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          }
        },
        "required": [
          "name"
        ],
        "title": "ShootingGuidelinesCreate"
      },
      "ShootingGuidelinesUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": [
              "string",
              "null"
            ],
            "minLength": 1,
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "shot_type_rules": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/GuidelinesShotTypeRuleGroupInput"
            }
          }
        },
        "title": "ShootingGuidelinesUpdate",
        "description": "Null or absent = no change."
      },
      "GuidelinesShotTypeRuleKind": {
        "type": "string",
        "enum": [
          "PLACEMENT",
          "CATEGORY"
        ],
        "title": "GuidelinesShotTypeRuleKind"
      },
      "GuidelinesShotTypeRuleCreate": {
        "type": "object",
        "properties": {
          "rule_kind": {
            "$ref": "#/components/schemas/GuidelinesShotTypeRuleKind"
          },
          "rule_value": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100
          },
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          }
        },
        "required": [
          "rule_kind",
          "rule_value",
          "shot_type_id"
        ],
        "title": "GuidelinesShotTypeRuleCreate",
        "description": "Create a single (kind, value, shot_type) rule row."
      },
      "GuidelinesShotTypeRuleGroupInput": {
        "type": "object",
        "properties": {
          "rule_kind": {
            "$ref": "#/components/schemas/GuidelinesShotTypeRuleKind"
          },
          "rule_value": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100
          },
          "shot_type_ids": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "type": "string",
              "format": "uuid"
            }
          }
        },
        "required": [
          "rule_kind",
          "rule_value"
        ],
        "title": "GuidelinesShotTypeRuleGroupInput",
        "description": "One rule key and the full list of its shot types; an omitted or empty list clears the key."
      },
      "GuidelinesShotTypeRulePublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "guidelines_id": {
            "type": "string",
            "format": "uuid"
          },
          "rule_kind": {
            "$ref": "#/components/schemas/GuidelinesShotTypeRuleKind"
          },
          "rule_value": {
            "type": "string"
          },
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          }
        },
        "required": [
          "id",
          "guidelines_id",
          "rule_kind",
          "rule_value",
          "shot_type_id",
          "created_at",
          "updated_at"
        ],
        "title": "GuidelinesShotTypeRulePublic",
        "description": "Single rule row as returned by the API."
      },
      "GuidelinesShotTypeRulesPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/GuidelinesShotTypeRulePublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "GuidelinesShotTypeRulesPublic",
        "description": "Flat list of rule rows; `count` is their number."
      },
      "GuidelinesShotTypeRuleGroup": {
        "type": "object",
        "properties": {
          "rule_kind": {
            "$ref": "#/components/schemas/GuidelinesShotTypeRuleKind"
          },
          "rule_value": {
            "type": "string"
          },
          "shot_types": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ShotTypePublic"
            }
          }
        },
        "required": [
          "rule_kind",
          "rule_value",
          "shot_types"
        ],
        "title": "GuidelinesShotTypeRuleGroup"
      },
      "GuidelinesShotTypeRuleGroupsPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/GuidelinesShotTypeRuleGroup"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "GuidelinesShotTypeRuleGroupsPublic",
        "description": "Grouped rules of one guideline; `count` is the number of groups."
      },
      "SetBaseImageCreate": {
        "type": "object",
        "properties": {
          "subject_id": {
            "type": "string",
            "format": "uuid"
          },
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          },
          "image": {
            "anyOf": [
              {
                "type": "string",
                "maxLength": 2048
              },
              {
                "$ref": "#/components/schemas/MediaInput"
              },
              {
                "type": "null"
              }
            ],
            "description": "A URL string, a MediaInput, or null."
          }
        },
        "required": [
          "subject_id",
          "shot_type_id"
        ],
        "title": "SetBaseImageCreate"
      },
      "SetReferenceImageCreate": {
        "type": "object",
        "properties": {
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          },
          "label": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "image": {
            "anyOf": [
              {
                "type": "string",
                "maxLength": 2048
              },
              {
                "$ref": "#/components/schemas/MediaInput"
              },
              {
                "type": "null"
              }
            ],
            "description": "A URL string, a MediaInput, or null."
          }
        },
        "required": [
          "shot_type_id"
        ],
        "title": "SetReferenceImageCreate"
      },
      "SubjectPortraitCreate": {
        "type": "object",
        "properties": {
          "subject_id": {
            "type": "string",
            "format": "uuid"
          },
          "image": {
            "anyOf": [
              {
                "type": "string",
                "maxLength": 2048
              },
              {
                "$ref": "#/components/schemas/MediaInput"
              },
              {
                "type": "null"
              }
            ],
            "description": "A URL string, a MediaInput, or null."
          }
        },
        "required": [
          "subject_id"
        ],
        "title": "SubjectPortraitCreate"
      },
      "SetDesignCreate": {
        "type": "object",
        "properties": {
          "name": {
            "type": "string",
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "background_preset_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid",
            "description": "Organization this set design belongs to"
          },
          "base_images": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SetBaseImageCreate"
            }
          },
          "reference_images": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SetReferenceImageCreate"
            }
          },
          "subject_portraits": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SubjectPortraitCreate"
            }
          }
        },
        "required": [
          "name"
        ],
        "title": "SetDesignCreate"
      },
      "SetDesignUpdate": {
        "type": "object",
        "properties": {
          "name": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 255
          },
          "description": {
            "type": [
              "string",
              "null"
            ],
            "maxLength": 1024
          },
          "background_preset_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "owner_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid",
            "description": "Organization to transfer this set design to"
          },
          "base_images": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SetBaseImageCreate"
            }
          },
          "reference_images": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SetReferenceImageCreate"
            }
          },
          "subject_portraits": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "$ref": "#/components/schemas/SubjectPortraitCreate"
            }
          }
        },
        "title": "SetDesignUpdate",
        "description": "Null or absent = no change; a list replaces the whole list."
      },
      "SetBaseImagePublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "subject_id": {
            "type": "string",
            "format": "uuid"
          },
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          },
          "image_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "image_media": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/MediaResourcePublic"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "id",
          "created_at",
          "updated_at",
          "subject_id",
          "shot_type_id",
          "image_url",
          "image_media"
        ],
        "title": "SetBaseImagePublic"
      },
      "SetReferenceImagePublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "shot_type_id": {
            "type": "string",
            "format": "uuid"
          },
          "label": {
            "type": [
              "string",
              "null"
            ]
          },
          "image_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "image_media": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/MediaResourcePublic"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "id",
          "created_at",
          "updated_at",
          "shot_type_id",
          "label",
          "image_url",
          "image_media"
        ],
        "title": "SetReferenceImagePublic"
      },
      "SubjectPortraitPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "subject_id": {
            "type": "string",
            "format": "uuid"
          },
          "image_media": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/MediaResourcePublic"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "id",
          "created_at",
          "updated_at",
          "subject_id",
          "image_media"
        ],
        "title": "SubjectPortraitPublic"
      },
      "SetDesignPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "updated_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": [
              "string",
              "null"
            ]
          },
          "owner_id": {
            "type": "string",
            "format": "uuid"
          },
          "organization_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "background_preset_id": {
            "type": [
              "string",
              "null"
            ],
            "format": "uuid"
          },
          "base_images": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SetBaseImagePublic"
            }
          },
          "reference_images": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SetReferenceImagePublic"
            }
          },
          "subject_portraits": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SubjectPortraitPublic"
            }
          }
        },
        "required": [
          "id",
          "created_at",
          "updated_at",
          "name",
          "description",
          "owner_id",
          "organization_id",
          "background_preset_id",
          "base_images",
          "reference_images",
          "subject_portraits"
        ],
        "title": "SetDesignPublic"
      },
      "SetDesignsPublic": {
        "type": "object",
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/SetDesignPublic"
            }
          },
          "count": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "data",
          "count"
        ],
        "title": "SetDesignsPublic",
        "description": "A page of rows; `count` counts every matching row, not the page."
      },
      "SetDesignCompletionRequest": {
        "type": "object",
        "properties": {
          "subject_ids": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            }
          },
          "shot_type_ids": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            }
          }
        },
        "required": [
          "subject_ids",
          "shot_type_ids"
        ],
        "title": "SetDesignCompletionRequest",
        "description": "Subjects and/or shot types the design lacks; not both empty."
      },
      "TaskStatus": {
        "type": "string",
        "enum": [
          "PENDING",
          "PROCESSING",
          "COMPLETED",
          "FAILED"
        ],
        "title": "TaskStatus"
      },
      "SetDesignBaseImagesUploadTaskPublic": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "owner_id": {
            "type": "string",
            "format": "uuid"
          },
          "set_design_id": {
            "type": "string",
            "format": "uuid"
          },
          "subject_id": {
            "type": "string",
            "format": "uuid"
          },
          "status": {
            "$ref": "#/components/schemas/TaskStatus"
          },
          "progress": {
            "type": "integer",
            "minimum": 0,
            "maximum": 100
          },
          "total_items": {
            "type": "integer",
            "minimum": 0
          },
          "processed_items": {
            "type": "integer",
            "minimum": 0
          },
          "images_processed": {
            "type": "integer",
            "minimum": 0
          },
          "images_skipped": {
            "type": "integer",
            "minimum": 0
          },
          "error_message": {
            "type": [
              "string",
              "null"
            ]
          },
          "created_at": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "started_at": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              },
              {
                "type": "null"
              }
            ]
          },
          "completed_at": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/Timestamp"
              },
              {
                "type": "null"
              }
            ]
          },
          "result_data": {
            "anyOf": [
              {
                "$ref": "#/components/schemas/UploadTaskResult"
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "id",
          "owner_id",
          "set_design_id",
          "subject_id",
          "status",
          "progress",
          "total_items",
          "processed_items",
          "images_processed",
          "images_skipped",
          "error_message",
          "created_at",
          "started_at",
          "completed_at",
          "result_data"
        ],
        "title": "SetDesignBaseImagesUploadTaskPublic"
      },
      "UploadTaskResult": {
        "type": "object",
        "title": "UploadTaskResult",
        "additionalProperties": true,
        "description": "What the worker did with each archive entry (set when the task ends).",
        "properties": {
          "matched": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "string"
                },
                "shot_type_id": {
                  "type": "string",
                  "format": "uuid"
                },
                "base_image_id": {
                  "type": "string",
                  "format": "uuid"
                },
                "media_resource_id": {
                  "type": "string",
                  "format": "uuid"
                },
                "replaced": {
                  "type": "boolean"
                }
              },
              "required": [
                "file",
                "shot_type_id"
              ]
            }
          },
          "skipped": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "file": {
                  "type": "string"
                },
                "reason": {
                  "type": "string",
                  "enum": [
                    "ignored",
                    "not_an_image",
                    "corrupt_image",
                    "no_matching_shot_type",
                    "ambiguous_shot_type",
                    "duplicate_shot_type",
                    "encrypted",
                    "unsupported_compression",
                    "too_large"
                  ]
                }
              },
              "required": [
                "file",
                "reason"
              ]
            }
          },
          "unmatched_shot_types": {
            "type": "array",
            "items": {
              "type": "string",
              "format": "uuid"
            }
          }
        }
      },
      "UploadTaskProgressEvent": {
        "type": "object",
        "title": "UploadTaskProgressEvent",
        "description": "One server-sent event (the schema of each event, not of the whole stream). `data` is the task as SetDesignBaseImagesUploadTaskPublic JSON; `id` is the row's version, for Last-Event-ID.",
        "properties": {
          "event": {
            "type": "string",
            "const": "progress"
          },
          "id": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
              "$ref": "#/components/schemas/SetDesignBaseImagesUploadTaskPublic"
            }
          }
        },
        "required": [
          "event",
          "id",
          "data"
        ]
      },
      "Body_upload_set_design_base_images_zip": {
        "type": "object",
        "properties": {
          "file": {
            "type": "string",
            "contentMediaType": "application/zip"
          }
        },
        "required": [
          "file"
        ],
        "title": "Body_upload_set_design_base_images_zip"
      }
    }
  }
}
"""#
}
